import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncData, SyncResult } from '@codevf/protocol';
import { type CommandContext, defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';

export default defineCommand({
  description:
    "Tells CodeVF which commit engineers may work on: the HEAD of the 'codevf' branch (or of the current " +
    'branch, if init allowed any branch). Refuses a dirty working tree unless --force (uncommitted changes are ' +
    'never sent). When the project opted in to uploads, also uploads a git bundle of the branch. Writes ' +
    '.codevf/last_sync.json.',
  json: true,
  flags: {
    force: {
      type: 'boolean',
      description: 'Sync even with uncommitted changes (they are not included; not recommended).',
    },
    'no-bundle': { type: 'boolean', description: 'Send the commit only, even if the project allows uploads.' },
  },
  examples: [
    'git checkout -b codevf && git commit -am "wip" && codevf sync',
    'codevf sync --json',
    'codevf sync --force',
  ],

  async handler({ flags }, ctx): Promise<SyncData> {
    const [{ loadProject, writeLastSync }, { readGitState, assertSyncable }] = await Promise.all([
      import('../project/projectConfig'),
      import('../project/git'),
    ]);
    const { root, config } = await loadProject(ctx.cwd());
    const state = assertSyncable(await readGitState(root), {
      branchMode: config.branchMode,
      force: Boolean(flags.force),
    });
    if (state.dirty) ctx.warn('Uncommitted changes are not part of the sync; only the commit is.');

    const api = await ctx.api();
    await api.accessToken();
    const projectPath = `/v1/projects/${encodeURIComponent(config.projectId)}`;

    let bundle: SyncData['bundle'] = null;
    if (config.repoUploaded && !flags['no-bundle']) {
      ctx.status(`Uploading a git bundle of '${state.branch}'…`);
      bundle = await uploadBundle(ctx, state.toplevel, state.branch, projectPath);
    }
    const result = await api.post<SyncResult>(`${projectPath}/sync`, {
      branch: state.branch,
      commit: state.head,
      dirty: state.dirty,
      ...(state.remoteUrl ? { remoteUrl: state.remoteUrl } : {}),
      ...(bundle ? { bundleId: bundle.bundleId } : {}),
    });
    const data: SyncData = {
      projectId: config.projectId,
      syncId: result.syncId,
      branch: result.branch,
      commit: result.commit,
      remoteUrl: result.remoteUrl,
      dirty: result.dirty,
      forced: state.dirty,
      bundle,
      syncedAt: result.syncedAt,
    };
    await writeLastSync(root, { version: '1', ...data });
    return data;
  },

  human(data, { io }) {
    io.out(`${io.style('green', '✔')} Synced ${io.style('bold', data.branch)} at ${data.commit.slice(0, 12)}\n`);
    if (data.remoteUrl) io.out(`  Remote   ${data.remoteUrl}\n`);
    io.out(
      data.bundle
        ? `  Bundle   ${(data.bundle.bytes / 1024).toFixed(1)} KB uploaded\n`
        : '  Bundle   not uploaded (the project did not opt in to code uploads)\n',
    );
    if (data.forced) io.out('  Note     uncommitted changes were left out\n');
    io.out('Engineers on your tasks can now work on this commit.\n');
  },
});

async function uploadBundle(
  ctx: CommandContext,
  toplevel: string,
  branch: string,
  projectPath: string,
): Promise<NonNullable<SyncData['bundle']>> {
  const [{ createBundle }, { uploadBlob }, { createProgressBar }] = await Promise.all([
    import('../project/git'),
    import('../project/uploadBlob'),
    import('../project/progressBar'),
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'codevf-bundle-'));
  try {
    const file = join(dir, 'codevf.bundle');
    await createBundle(toplevel, branch, file);
    const bytes = (await stat(file)).size;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    const sha256 = hash.digest('hex');
    const bar = createProgressBar(ctx.io, 'Uploading', { json: ctx.json, now: ctx.now });
    const result = await uploadBlob(ctx, {
      path: `${projectPath}/bundle`,
      file,
      bytes,
      sha256,
      contentType: 'application/octet-stream',
      onProgress: (sent, total) => bar.update(sent, total),
    });
    bar.finish();
    if (result.sha256 !== sha256) {
      throw new CodevfError('E_INTERNAL', 'The server stored a different bundle than the one sent.');
    }
    return { bundleId: result.snapshotId, bytes: result.bytes, sha256: result.sha256 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
