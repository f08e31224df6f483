import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../http/errors';
import { newId } from '../ids';

/**
 * Where snapshots and bundles live. The embedded default keeps files under the data dir; the
 * interface is small enough for an object store later.
 */
export interface BlobStore {
  /** Streams `body` into the store. Nothing is visible under `key` unless the whole body arrived. */
  put(key: string, body: Readable, options?: { maxBytes?: number }): Promise<{ bytes: number; sha256: string }>;
  get(key: string): Promise<{ stream: Readable; bytes: number }>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export function createFileBlobStore(root: string): BlobStore {
  const base = resolve(root);
  const pathOf = (key: string) => {
    if (!/^[A-Za-z0-9/_.-]+$/.test(key) || key.includes('..')) throw new Error(`invalid blob key: ${key}`);
    const p = resolve(base, key);
    if (!p.startsWith(base + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return p;
  };

  return {
    async put(key, body, options = {}) {
      const target = pathOf(key);
      await mkdir(dirname(target), { recursive: true });
      const tmpDir = join(base, '.tmp');
      await mkdir(tmpDir, { recursive: true });
      const tmp = join(tmpDir, newId());
      const hash = createHash('sha256');
      let bytes = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          if (options.maxBytes !== undefined && bytes > options.maxBytes) {
            cb(new ApiError('E_TOO_LARGE', `Upload is larger than the limit of ${options.maxBytes} bytes.`));
            return;
          }
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      try {
        await pipeline(body, meter, createWriteStream(tmp, { mode: 0o600 }));
        await rename(tmp, target);
      } catch (err) {
        // An aborted or oversized upload leaves nothing behind.
        await rm(tmp, { force: true });
        throw err;
      }
      return { bytes, sha256: hash.digest('hex') };
    },
    async get(key) {
      const p = pathOf(key);
      const s = await stat(p).catch(() => undefined);
      if (!s?.isFile()) throw new ApiError('E_NOT_FOUND', 'No such blob.');
      return { stream: createReadStream(p), bytes: s.size };
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async exists(key) {
      return (await stat(pathOf(key)).catch(() => undefined))?.isFile() ?? false;
    },
  };
}
