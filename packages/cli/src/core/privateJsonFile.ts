import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CodevfError } from './errors';

const errno = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

/**
 * Reads one of the CLI's own JSON files (auth.json, server.json). Null when the file does not
 * exist; `value` is undefined when it is not JSON, so the caller's shape check reports it as
 * corrupt in its own words. Synchronous on purpose: a few hundred bytes, read on every command's
 * start-up path, where the promise API's file-handle machinery costs more than the read.
 */
export function readPrivateJson(path: string): { value: unknown } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    throw new CodevfError('E_CONFIG_INVALID', `Cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { value: undefined };
  }
}

/** Creates the file's folder readable by this user only (it may hold secrets), tightening an existing one. */
export async function ensurePrivateDir(path: string): Promise<void> {
  // Loaded on write only: whoami and --version never pay for it.
  const { chmod, mkdir } = await import('node:fs/promises');
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700);
}
