import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnapshotResult } from '@codevf/protocol';
import type { CommandContext } from '../core/command';
import { CodevfError } from '../core/errors';
import { writeSnapshotArchive } from './packSnapshot';
import { createProgressBar } from './progressBar';
import { DEFAULT_SNAPSHOT_MAX_BYTES, type ExcludedEntry, type ExclusionReason, scanSnapshot } from './scanSnapshot';
import { uploadBlob } from './uploadBlob';

export interface SnapshotSummary extends SnapshotResult {
  files: number;
  /** File content before compression. */
  contentBytes: number;
  excluded: {
    total: number;
    byReason: Partial<Record<ExclusionReason, number>>;
    /** Secret files left out, by path, so the user can see they never left the machine. */
    sensitive: string[];
  };
}

/** CODEVF_SNAPSHOT_MAX_BYTES lowers or raises the limit on the content a snapshot may hold. */
export function snapshotLimit(env: CommandContext['io']['env']): number {
  const raw = env.CODEVF_SNAPSHOT_MAX_BYTES;
  if (!raw) return DEFAULT_SNAPSHOT_MAX_BYTES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new CodevfError(
      'E_VALIDATION',
      `CODEVF_SNAPSHOT_MAX_BYTES must be a positive whole number, not ${JSON.stringify(raw)}.`,
    );
  }
  return n;
}

function summarise(excluded: ExcludedEntry[]): SnapshotSummary['excluded'] {
  const byReason: SnapshotSummary['excluded']['byReason'] = {};
  for (const e of excluded) byReason[e.reason] = (byReason[e.reason] ?? 0) + 1;
  return {
    total: excluded.length,
    byReason,
    sensitive: excluded.filter((e) => e.reason === 'sensitive').map((e) => (e.dir ? `${e.path}/` : e.path)),
  };
}

/**
 * Archives the project's working tree and uploads it. The size limit is checked while
 * scanning, before anything is written or sent; the archive goes to a temp file (never into
 * memory) so its sha256 and length can be sent ahead of the body, and is deleted afterwards.
 */
export async function uploadSnapshot(ctx: CommandContext, root: string, projectId: string): Promise<SnapshotSummary> {
  const plan = await scanSnapshot(root, { maxTotalBytes: snapshotLimit(ctx.io.env) });
  const dir = await mkdtemp(join(tmpdir(), 'codevf-snapshot-'));
  try {
    const file = join(dir, 'snapshot.tar.gz');
    const packing = createProgressBar(ctx.io, 'Packing  ', { json: ctx.json, now: ctx.now });
    const archive = await writeSnapshotArchive(plan, file, {
      onProgress: (p) => packing.update(p.bytes, p.totalBytes),
      signal: ctx.signal,
    });
    packing.finish();
    const sending = createProgressBar(ctx.io, 'Uploading', { json: ctx.json, now: ctx.now });
    const result = await uploadBlob(ctx, {
      path: `/v1/projects/${encodeURIComponent(projectId)}/snapshot`,
      file,
      bytes: archive.bytes,
      sha256: archive.sha256,
      contentType: 'application/gzip',
      onProgress: (sent, total) => sending.update(sent, total),
    });
    sending.finish();
    return {
      ...result,
      files: plan.entries.length,
      contentBytes: plan.totalBytes,
      excluded: summarise(plan.excluded),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
