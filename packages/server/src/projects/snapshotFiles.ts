import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { SnapshotEntry, SnapshotFileView, SnapshotListing } from '@codevf/protocol';
import tar from 'tar-stream';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { latestUpload } from './projectService';

/** Entries listed at most; a snapshot is a working tree, not a monorepo's history. */
export const MAX_ENTRIES = 20_000;
/** Bytes of one file shown at most. */
export const MAX_FILE_BYTES = 512 * 1024;
/** The CLI's manifest of what it left out (packSnapshot.ts): not a project file. */
const MANIFEST = '.codevf-snapshot.json';

/** Listings of the latest snapshots read, by snapshot id (a snapshot never changes once stored). */
const listings = new Map<string, SnapshotListing>();
const KEEP_LISTINGS = 32;

/** Reads every header of the snapshot's archive; `onEntry` may read a file's body (else it is skipped). */
async function walk(
  ctx: AppContext,
  blobKey: string,
  onEntry: (header: tar.Header, body: AsyncIterable<Buffer>) => Promise<'stop' | undefined>,
): Promise<void> {
  const blob = await ctx.blobs.get(blobKey);
  const extract = tar.extract();
  let stopped = false;
  const done = (async () => {
    for await (const entry of extract) {
      const result = stopped ? undefined : await onEntry(entry.header, entry as AsyncIterable<Buffer>);
      if (result === 'stop') stopped = true;
      entry.resume();
    }
  })();
  try {
    await Promise.all([pipeline(blob.stream, createGunzip(), extract), done]);
  } catch (err) {
    ctx.log.warn({ err, blobKey }, 'snapshot archive unreadable');
    throw new ApiError('E_INTERNAL', 'The stored snapshot could not be read.');
  }
}

/** Archive names are relative paths; anything else (absolute, `..`) is not shown. */
function cleanPath(name: string): string | null {
  const path = name.replace(/^\.\//, '');
  if (!path || path.startsWith('/') || path.split('/').some((p) => p === '..')) return null;
  return path;
}

export async function snapshotListing(ctx: AppContext, projectId: string): Promise<SnapshotListing> {
  const upload = await latestUpload(ctx, projectId, 'snapshot');
  const cached = listings.get(upload.id);
  if (cached) return cached;
  const entries: SnapshotEntry[] = [];
  let truncated = false;
  await walk(ctx, upload.blob_key, async (h) => {
    const path = cleanPath(h.name);
    if (!path || path === MANIFEST || (h.type !== 'file' && h.type !== 'symlink')) return undefined;
    if (entries.length >= MAX_ENTRIES) {
      truncated = true;
      return 'stop';
    }
    entries.push(
      h.type === 'symlink'
        ? { path, type: 'symlink', size: 0, linkTarget: h.linkname ?? '' }
        : { path, type: 'file', size: h.size ?? 0 },
    );
    return undefined;
  });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const listing = { snapshotId: upload.id, createdAt: upload.created_at, entries, truncated };
  listings.set(upload.id, listing);
  if (listings.size > KEEP_LISTINGS) listings.delete(listings.keys().next().value as string);
  return listing;
}

/** One file of the latest snapshot, as text when it is text. */
export async function snapshotFile(ctx: AppContext, projectId: string, path: string): Promise<SnapshotFileView> {
  const upload = await latestUpload(ctx, projectId, 'snapshot');
  let found: SnapshotFileView | null = null;
  await walk(ctx, upload.blob_key, async (h, body) => {
    if (cleanPath(h.name) !== path || h.type !== 'file') return undefined;
    const chunks: Buffer[] = [];
    let kept = 0;
    for await (const chunk of body) {
      if (kept < MAX_FILE_BYTES) {
        const part = chunk.subarray(0, MAX_FILE_BYTES - kept);
        chunks.push(part);
        kept += part.length;
      }
    }
    const bytes = Buffer.concat(chunks);
    const size = h.size ?? bytes.length;
    // The heuristic git uses: a NUL byte near the start means binary.
    const binary = bytes.subarray(0, 8000).includes(0);
    found = {
      snapshotId: upload.id,
      path,
      size,
      ...(binary ? {} : { text: bytes.toString('utf8') }),
      binary,
      truncated: size > bytes.length,
    };
    return 'stop';
  });
  if (!found) throw new ApiError('E_NOT_FOUND', `The snapshot has no file ${JSON.stringify(path)}.`);
  return found;
}
