/**
 * A variable of `env`, looked up the way the platform does: Windows variable names are
 * case-insensitive (`ComSpec`, `COMSPEC` and `comspec` are one variable), and a plain object
 * copied from `process.env` or built by a test keeps whichever spelling it was given.
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
