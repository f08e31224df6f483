import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { CodevfError } from '../core/errors';
import type { SnapshotPlan } from './scanSnapshot';

/** Where the archive lists what it left out and why, for the engineer who unpacks it. */
export const MANIFEST_PATH = '.codevf/snapshot-manifest.json';

export interface PackProgress {
  /** File content archived so far. */
  bytes: number;
  totalBytes: number;
  files: number;
  fileCount: number;
}

export interface PackOptions {
  onProgress?: (p: PackProgress) => void;
  signal?: AbortSignal;
}

async function waitDrain(stream: NodeJS.EventEmitter): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      if (err instanceof Error) reject(err);
      else resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

/**
 * The plan's files as an uncompressed tar stream, read one file at a time with backpressure,
 * so memory stays the same however large the tree is. Ends with the manifest of exclusions.
 */
export function packSnapshot(plan: SnapshotPlan, options: PackOptions = {}): Readable {
  const pack = tar.pack();
  const progress: PackProgress = { bytes: 0, totalBytes: plan.totalBytes, files: 0, fileCount: plan.entries.length };

  async function addEntries(): Promise<void> {
    for (const entry of plan.entries) {
      options.signal?.throwIfAborted();
      const header = { name: entry.path, mode: entry.mode, mtime: entry.mtime };
      if (entry.linkTarget !== undefined) {
        await new Promise<void>((resolve, reject) => {
          pack.entry({ ...header, type: 'symlink', linkname: entry.linkTarget }, (err) =>
            err ? reject(err) : resolve(),
          );
        });
        progress.files++;
        continue;
      }
      const changed = (detail: string, cause?: unknown) =>
        new CodevfError('E_CONFLICT', `${entry.path} changed or disappeared while the snapshot was made (${detail}).`, {
          hint: 'Run the command again.',
          cause,
        });
      const sink = pack.entry({ ...header, size: entry.size, type: 'file' });
      // Errors reach us through the loop below and the pack; without a listener a sink error
      // would also surface as an uncaught exception.
      sink.on('error', () => {});
      if (entry.size > 0) {
        // Read exactly the size the header promised: a file that grows meanwhile is cut at that
        // size, one that shrinks is an error (the archive would be corrupt).
        const source = createReadStream(join(plan.root, entry.path), {
          start: 0,
          end: entry.size - 1,
          highWaterMark: 64 * 1024,
        });
        let read = 0;
        try {
          for await (const chunk of source as AsyncIterable<Buffer>) {
            read += chunk.length;
            progress.bytes += chunk.length;
            options.onProgress?.(progress);
            if (!sink.write(chunk)) await waitDrain(sink);
          }
        } catch (err) {
          source.destroy();
          throw changed((err as Error).message, err);
        }
        if (read !== entry.size) throw changed(`expected ${entry.size} bytes, read ${read}`);
      }
      await new Promise<void>((resolve, reject) => {
        sink.on('error', reject);
        sink.on('finish', () => resolve());
        sink.end(null);
      });
      progress.files++;
    }
    const manifest = {
      version: '1',
      files: plan.entries.length,
      bytes: plan.totalBytes,
      excluded: plan.excluded,
    };
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: MANIFEST_PATH, mode: 0o644 }, `${JSON.stringify(manifest, null, 2)}\n`, (err) =>
        err ? reject(err) : resolve(),
      );
    });
    pack.finalize();
  }

  addEntries().catch((err: unknown) => pack.destroy(err as Error));
  return pack as unknown as Readable;
}

export interface ArchiveResult {
  /** Size of the compressed archive. */
  bytes: number;
  sha256: string;
}

/** Writes the plan as a tar.gz file, hashing it on the way (the upload sends the hash first). */
export async function writeSnapshotArchive(
  plan: SnapshotPlan,
  file: string,
  options: PackOptions = {},
): Promise<ArchiveResult> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(
    packSnapshot(plan, options),
    createGzip({ chunkSize: 64 * 1024 }),
    tap,
    createWriteStream(file, { mode: 0o600 }),
    { signal: options.signal },
  );
  return { bytes, sha256: hash.digest('hex') };
}
