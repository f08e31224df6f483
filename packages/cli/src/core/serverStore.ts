import { CodevfError } from './errors';
import { ensurePrivateDir, readPrivateJson } from './privateJsonFile';

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

export function createServerStore(path: string): ServerStore {
  return {
    path,

    read() {
      const file = readPrivateJson(path);
      if (!file) return undefined;
      const baseUrl = (file.value as { baseUrl?: unknown } | undefined)?.baseUrl;
      // Fail closed: guessing the default here would send the next login to the wrong server.
      if (typeof baseUrl !== 'string' || baseUrl === '') {
        throw new CodevfError('E_CONFIG_INVALID', `The server file ${path} is corrupt or not a CodeVF file.`, {
          hint: `Delete ${path}, or name the server: codevf login --base-url https://codevf.example.com`,
        });
      }
      return baseUrl;
    },

    async write(baseUrl) {
      await ensurePrivateDir(path);
      const { writeFileAtomic } = await import('./writeFileAtomic');
      await writeFileAtomic(path, `${JSON.stringify({ baseUrl }, null, 2)}\n`, 0o600);
    },
  };
}
