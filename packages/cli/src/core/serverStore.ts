import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CodevfError } from './errors';

/**
 * server.json: the server this machine last logged in to. Kept apart from auth.json because it
 * is not a secret and must outlive `codevf logout`, so the next login goes back to the same
 * server instead of silently falling back to the default.
 */
export interface ServerStore {
  readonly path: string;
  /** The remembered address (as stored, not yet validated), or undefined when there is none. */
  read(): string | undefined;
  write(baseUrl: string): Promise<void>;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

export function createServerStore(path: string): ServerStore {
  return {
    path,

    read() {
      let text: string;
      try {
        // Synchronous for the same reason as auth.json: tiny, and on every command's start-up path.
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if (errno(err) === 'ENOENT') return undefined;
        throw new CodevfError('E_CONFIG_INVALID', `Cannot read ${path}: ${(err as Error).message}`, { cause: err });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const baseUrl = (parsed as { baseUrl?: unknown } | undefined)?.baseUrl;
      // Fail closed: guessing the default here would send the next login to the wrong server.
      if (typeof baseUrl !== 'string' || baseUrl === '') {
        throw new CodevfError('E_CONFIG_INVALID', `The server file ${path} is corrupt or not a CodeVF file.`, {
          hint: `Delete ${path}, or name the server: codevf login --base-url https://codevf.example.com`,
        });
      }
      return baseUrl;
    },

    async write(baseUrl) {
      const { chmod, mkdir } = await import('node:fs/promises');
      const dir = dirname(path);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      if (process.platform !== 'win32') await chmod(dir, 0o700);
      const { writeFileAtomic } = await import('./writeFileAtomic');
      await writeFileAtomic(path, `${JSON.stringify({ baseUrl }, null, 2)}\n`, 0o600);
    },
  };
}
