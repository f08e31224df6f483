import { CodevfError } from './errors';
import { ensurePrivateDir, readPrivateJson } from './privateJsonFile';

/** The login kept in auth.json (docs/PROTOCOL.md §4). Tokens never leave this file except as headers. */
export interface StoredAuth {
  accessToken: string;
  refreshToken: string;
  /** ISO 8601 time the access token expires. */
  expiresAt: string;
  userId: string;
  /** Server that issued the tokens; they are never sent anywhere else. */
  baseUrl: string;
  user: { id: string; email: string; name: string; role: string };
}

export interface AuthStore {
  readonly path: string;
  /** The stored login, or null when there is none. A corrupt file is E_CONFIG_INVALID. */
  read(): Promise<StoredAuth | null>;
  /** Replaces the login atomically: other readers see the old file or the new one, never half. */
  write(auth: StoredAuth): Promise<void>;
  /** Deletes the login; true when there was one. */
  remove(): Promise<boolean>;
  /**
   * Runs `fn` while holding a lock file next to auth.json, so that two codevf processes never
   * refresh at the same time (the second would present a rotated refresh token and the server
   * would revoke the whole login).
   */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

const LOCK_STALE_MS = 15_000;
const LOCK_WAIT_MS = 20_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * Checked by hand rather than with zod: whoami reads this file on every run and zod would
 * double the CLI's start-up time.
 */
export function parseStoredAuth(value: unknown): StoredAuth | null {
  if (!isObject(value) || !isObject(value.user)) return null;
  const { accessToken, refreshToken, expiresAt, userId, baseUrl, user } = value;
  if (!isText(accessToken) || !isText(refreshToken) || !isText(userId) || !isText(baseUrl)) return null;
  if (!isText(expiresAt) || Number.isNaN(Date.parse(expiresAt))) return null;
  if (!isText(user.id) || typeof user.email !== 'string' || typeof user.name !== 'string' || !isText(user.role)) {
    return null;
  }
  return {
    accessToken,
    refreshToken,
    expiresAt,
    userId,
    baseUrl,
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
  };
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

export function createAuthStore(path: string): AuthStore {
  const lockPath = `${path}.lock`;

  // node:fs/promises is loaded only by the paths that write: reading happens on every
  // `codevf whoami` and should not pay for it.
  const fsp = () => import('node:fs/promises');

  return {
    path,

    async read() {
      const file = readPrivateJson(path);
      if (!file) return null;
      const auth = parseStoredAuth(file.value);
      if (!auth) {
        throw new CodevfError('E_CONFIG_INVALID', `The login file ${path} is corrupt or not a CodeVF login.`, {
          hint: `Delete ${path} and run: codevf login`,
        });
      }
      return auth;
    },

    async write(auth) {
      await ensurePrivateDir(path);
      // Loaded on write only: whoami and --version never pay for it.
      const { writeFileAtomic } = await import('./writeFileAtomic');
      await writeFileAtomic(path, `${JSON.stringify(auth, null, 2)}\n`, 0o600);
    },

    async remove() {
      const { rm } = await fsp();
      try {
        await rm(path);
        return true;
      } catch (err) {
        if (errno(err) === 'ENOENT') return false;
        throw err;
      }
    },

    async withLock(fn) {
      const { open, rm, stat } = await fsp();
      await ensurePrivateDir(path);
      const deadline = Date.now() + LOCK_WAIT_MS;
      for (;;) {
        try {
          const handle = await open(lockPath, 'wx', 0o600);
          await handle.close();
          break;
        } catch (err) {
          if (errno(err) !== 'EEXIST') throw err;
          // A process that died while refreshing leaves its lock behind; take over after a while.
          const age = await stat(lockPath).then(
            (s) => Date.now() - s.mtimeMs,
            () => 0,
          );
          if (age > LOCK_STALE_MS) await rm(lockPath, { force: true });
          else if (Date.now() > deadline) {
            throw new CodevfError('E_TIMEOUT', `Another codevf process holds ${lockPath}.`, {
              hint: `If no other codevf is running, delete ${lockPath}.`,
            });
          } else await new Promise((r) => setTimeout(r, 50));
        }
      }
      try {
        return await fn();
      } finally {
        await rm(lockPath, { force: true });
      }
    },
  };
}
