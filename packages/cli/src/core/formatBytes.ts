/**
 * A size for people: `512 bytes`, `2 KiB`, `3.3 MiB` (binary units, one decimal, no `.0`).
 * The one formatter for the terminal UI and the messages the CLI sends or prints.
 */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${n} bytes`;
}
