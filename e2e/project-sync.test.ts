/**
 * `codevf sync` end to end: real git repositories in temp dirs, the built CLI, a real server.
 * The bundle round trip checks the server's stored bytes with git itself.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InitData, SyncData } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { parseJsonOutput } from './harness/cli';
import { download, git, useProjectWorld, writeTree } from './project-helpers';

const world = useProjectWorld();
const cli = (cwd: string, ...args: string[]) => world.runCli(cwd, args);

/** A repository on `branch`, set up with `codevf init` (uploads on or off). */
async function initialised(branch: string, upload: boolean): Promise<{ root: string; projectId: string }> {
  const root = world.nodeRepo(branch);
  const r = await cli(root, 'init', '--yes', '--json', upload ? '--upload' : '--no-upload');
  const out = parseJsonOutput<InitData>(r);
  if (!out.ok) throw new Error(`init failed: ${JSON.stringify(out.error)}`);
  return { root, projectId: out.data.projectId };
}

async function failure(cwd: string, ...args: string[]) {
  const r = await cli(cwd, 'sync', ...args);
  const json = await cli(cwd, 'sync', '--json', ...args);
  const out = parseJsonOutput<SyncData>(json);
  if (out.ok) throw new Error('sync unexpectedly succeeded');
  expect(json.code).toBe(r.code);
  return { human: r, code: r.code, error: out.error };
}

const projectView = async (id: string) =>
  (
    await fetch(`${world.server.baseUrl}/v1/projects/${id}`, { headers: { authorization: `Bearer ${world.token}` } })
  ).json();

describe('codevf sync', () => {
  it('uploads a bundle that verifies and clones to the same HEAD, and records last_sync.json', async () => {
    const { root, projectId } = await initialised('codevf', true);
    writeTree(root, { 'src/feature.ts': 'export const f = 1;\n' });
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'feature');
    git(root, 'remote', 'add', 'origin', 'https://carol:ghp_secret123@github.com/acme/shop.git');
    const head = git(root, 'rev-parse', 'HEAD').trim();

    const r = await cli(root, 'sync', '--json');
    expect(r.code).toBe(0);
    const out = parseJsonOutput<SyncData>(r);
    if (!out.ok) throw new Error(JSON.stringify(out.error));
    expect(out.data).toMatchObject({
      projectId,
      branch: 'codevf',
      commit: head,
      dirty: false,
      forced: false,
      remoteUrl: 'https://github.com/acme/shop.git',
    });
    expect(r.stdout + r.stderr).not.toContain('ghp_secret123');
    const bundle = out.data.bundle;
    if (!bundle) throw new Error('no bundle');

    const last = JSON.parse(readFileSync(join(root, '.codevf', 'last_sync.json'), 'utf8'));
    expect(last).toEqual({ version: '1', ...out.data });

    const view = await projectView(projectId);
    expect(view.lastSync).toMatchObject({ branch: 'codevf', commit: head, hasBundle: true });

    const dl = await download(world.server, world.token, `/v1/projects/${projectId}/bundle`);
    expect(dl.status).toBe(200);
    expect(createHash('sha256').update(dl.body).digest('hex')).toBe(bundle.sha256);
    const out2 = world.tempDir('codevf-e2e-clone-');
    const file = join(out2, 'stored.bundle');
    writeFileSync(file, dl.body);
    git(root, 'bundle', 'verify', file);
    git(out2, 'clone', '-q', file, 'clone');
    expect(git(join(out2, 'clone'), 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(readFileSync(join(out2, 'clone', 'src', 'feature.ts'), 'utf8')).toContain('f = 1');

    // The sync leaves the tree clean: last_sync.json does not count as a change.
    const again = await cli(root, 'sync', '--json');
    expect(again.code).toBe(0);
  });

  it('prints the spec guidance and exits with E_GIT_WRONG_BRANCH when not on codevf', async () => {
    const { root } = await initialised('main', false);
    const { human, code, error } = await failure(root);
    expect(code).toBe(1);
    expect(error.code).toBe('E_GIT_WRONG_BRANCH');
    expect(human.stderr).toContain(
      [
        "Please commit your changes to the 'codevf' branch.",
        '',
        'To create and switch:',
        '  git checkout -b codevf',
        '  git add .',
        '  git commit -m "Your changes"',
        '  codevf sync',
      ].join('\n'),
    );
    expect(existsSync(join(root, '.codevf', 'last_sync.json'))).toBe(false);
    // --force is for dirty trees only; it never widens branch access.
    expect((await failure(root, '--force')).error.code).toBe('E_GIT_WRONG_BRANCH');
  });

  it('refuses uncommitted changes with the spec message, and --force sends the commit anyway', async () => {
    const { root, projectId } = await initialised('codevf', false);
    writeFileSync(join(root, 'src', 'index.ts'), 'export const answer = 43;\n');
    const { human, code, error } = await failure(root);
    expect(code).toBe(1);
    expect(error.code).toBe('E_GIT_DIRTY');
    expect(human.stderr).toContain(
      'Error: Working directory has uncommitted changes.\nPlease commit or stash changes before syncing.\n\nUse --force to sync anyway (not recommended)',
    );
    expect(human.stderr).toContain('src/index.ts');

    const forced = await cli(root, 'sync', '--force', '--json');
    expect(forced.code).toBe(0);
    const out = parseJsonOutput<SyncData>(forced);
    expect(out.ok && out.data).toMatchObject({ dirty: true, forced: true, bundle: null });
    expect(forced.stderr).toMatch(/not part of the sync/);
    expect((await projectView(projectId)).lastSync).toMatchObject({ dirty: true, hasBundle: false });
  });

  it('names a detached HEAD, a branch without commits, a folder outside git, and a missing project', async () => {
    const { root } = await initialised('codevf', false);
    git(root, 'checkout', '-q', '--detach');
    expect((await failure(root)).error.code).toBe('E_GIT_DETACHED');

    git(root, 'checkout', '-q', '--orphan', 'codevf-new');
    git(root, 'rm', '-rq', '--cached', '.');
    const noCommits = await failure(root);
    expect(noCommits.error.code).toBe('E_GIT_NO_COMMITS');

    const plain = world.tempDir('codevf-e2e-plain-');
    writeTree(plain, { 'go.mod': 'module x\n' });
    expect((await cli(plain, 'init', '--yes', '--json')).code).toBe(0);
    const notGit = await failure(plain);
    expect(notGit.error.code).toBe('E_NOT_GIT_REPO');
    expect(notGit.error.hint).toContain('git init');

    const bare = world.tempDir('codevf-e2e-none-');
    const none = await failure(bare);
    expect(none.error.code).toBe('E_NO_PROJECT');
    expect(none.human.stderr).toContain('No CodeVF project found.\nPlease run: codevf init');
  });

  it('sends no bundle when the project did not opt in, or with --no-bundle', async () => {
    const { root, projectId } = await initialised('codevf', false);
    const r = await cli(root, 'sync');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Synced codevf');
    expect((await download(world.server, world.token, `/v1/projects/${projectId}/bundle`)).status).toBe(404);

    const opted = await initialised('codevf', true);
    const skipped = parseJsonOutput<SyncData>(await cli(opted.root, 'sync', '--json', '--no-bundle'));
    expect(skipped.ok && skipped.data.bundle).toBeNull();
    expect((await download(world.server, world.token, `/v1/projects/${opted.projectId}/bundle`)).status).toBe(404);
  });
});
