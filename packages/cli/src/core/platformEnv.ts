/**
 * Reading the environment the way the target platform does, with the platform as a parameter
 * so tests can describe a Windows machine on Linux.
 */

/**
 * A variable of `env`. Windows variable names are case-insensitive (`ComSpec`, `COMSPEC` and
 * `comspec` are one variable), and a plain object copied from `process.env` or built by a test
 * keeps whichever spelling it was given.
 */
export function envValue(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  platform: NodeJS.Platform,
): string | undefined {
  const exact = env[name];
  if (exact !== undefined || platform !== 'win32') return exact;
  const upper = name.toUpperCase();
  for (const [key, value] of Object.entries(env)) if (key.toUpperCase() === upper && value !== undefined) return value;
  return undefined;
}

/**
 * A Windows path that means the same folder wherever the process runs: a drive (`C:\`) or a UNC
 * share (`\\server\share`). Not `\rooted` (on the current drive), `C:relative` (relative to that
 * drive's current folder), relative, or a `\\?\`/`\\.\` device path.
 */
export function isWindowsAbsolute(p: string): boolean {
  return /^(?:[A-Za-z]:[\\/]|[\\/]{2}[^\\/?.])/.test(p);
}
