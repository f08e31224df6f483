import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectBody } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import sync from '../../src/commands/sync';
import { configPath, lastSyncPath, writeProjectConfig } from '../../src/project/projectConfig';
import { git, makeRepo, tempDir, writeTree } from '../project/gitFixture';
import { type CommandWorld, deadUrl, withLoggedInRepoWorld } from './commandWorld';
import type { FakeApiServer } from './fakeApiServer';

let server: FakeApiServer;
let world: CommandWorld;
const dirs = withLoggedInRepoWorld((s, w) => {
  server = s;
  world = w;
});

/** A repository on `branch` with one commit, registered as a project with these settings. */
async function project(branch = 'codevf', settings: Partial<ProjectBody> = {}) {
  const root = makeRepo({ 'README.md': '# shop\n', '.gitignore': '.codevf/\n' }, branch);
  dirs.push(root);
  const registered = server.addProject(settings);
  await writeProjectConfig(root, {
    version: '1',
    projectId: registered.id,
    allowedTools: [],
    testCommand: '',
    buildCommand: '',
    repoUploaded: registered.uploadsAllowed,
    branchMode: registered.branchMode,
    createdAt: registered.createdAt,
  });
  return { root, projectId: registered.id, head: git(root, 'rev-parse', 'HEAD').trim() };
}

describe('sync handler', () => {
  it('sends branch, HEAD and the remote without credentials, and records last_sync.json', async () => {
    const { root, projectId, head } = await project();
    git(root, 'remote', 'add', 'origin', 'https://carol:ghp_secret123@github.com/acme/shop.git');
    const { result, error, io } = await world.handle(sync, {}, { cwd: root });
    expect(error).toBeUndefined();
    expect(server.syncs).toEqual([
      { branch: 'codevf', commit: head, dirty: false, remoteUrl: 'https://github.com/acme/shop.git' },
    ]);
    expect(result).toEqual({
      projectId,
      syncId: 'sy_1',
      branch: 'codevf',
      commit: head,
      remoteUrl: 'https://github.com/acme/shop.git',
      dirty: false,
      forced: false,
      bundle: null,
      syncedAt: expect.any(String),
    });
    expect(JSON.parse(readFileSync(lastSyncPath(root), 'utf8'))).toEqual({ version: '1', ...result });
    expect(server.uploads).toEqual([]);
    expect(io.stderrText()).toBe('');
  });

  it('runs from a subfolder of the project', async () => {
    const { root, head } = await project();
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    const { result } = await world.handle(sync, {}, { cwd: join(root, 'src', 'deep') });
    expect(result).toMatchObject({ commit: head });
  });

  it('uploads a bundle first when the project opted in, and names it in the sync', async () => {
    const { root } = await project('codevf', { uploadsAllowed: true });
    const { result, io } = await world.handle(sync, {}, { cwd: root });
    expect(server.uploads).toHaveLength(1);
    const upload = server.uploads[0];
    expect(upload).toMatchObject({ kind: 'bundle', bytes: expect.any(Number) });
    expect(result).toMatchObject({ bundle: { bundleId: 's_1', bytes: upload?.bytes, sha256: upload?.sha256 } });
    expect(server.syncs[0]?.bundleId).toBe('s_1');
    expect(io.stderrText()).toContain("Uploading a git bundle of 'codevf'…");
    expect(server.seen.map((r) => `${r.method} ${r.path}`).slice(-2)).toEqual([
      expect.stringMatching(/^PUT \/v1\/projects\/.*\/bundle$/),
      expect.stringMatching(/^POST \/v1\/projects\/.*\/sync$/),
    ]);
  });

  it('--no-bundle sends the commit only', async () => {
    const { root } = await project('codevf', { uploadsAllowed: true });
    const { result } = await world.handle(sync, { flags: { 'no-bundle': true } }, { cwd: root });
    expect(result).toMatchObject({ bundle: null });
    expect(server.uploads).toEqual([]);
  });

  it('a dirty tree is refused with E_GIT_DIRTY; --force syncs the commit and says what was left out', async () => {
    const { root, head } = await project();
    writeTree(root, { 'README.md': '# changed\n' });
    const refused = await world.handle(sync, {}, { cwd: root });
    expect(refused.error).toMatchObject({ code: 'E_GIT_DIRTY', hint: 'Uncommitted: README.md' });
    expect(server.syncs).toEqual([]);

    const forced = await world.handle(sync, { flags: { force: true } }, { cwd: root });
    expect(forced.result).toMatchObject({ commit: head, dirty: true, forced: true });
    expect(forced.io.stderrText()).toBe('Warning: Uncommitted changes are not part of the sync; only the commit is.\n');
  });

  it('the wrong branch is E_GIT_WRONG_BRANCH unless the project allows any branch', async () => {
    const onMain = await project('main');
    const { error } = await world.handle(sync, {}, { cwd: onMain.root });
    expect(error).toMatchObject({ code: 'E_GIT_WRONG_BRANCH', hint: expect.stringContaining("You are on 'main'") });

    const anyBranch = await project('main', { branchMode: 'any' });
    const { result } = await world.handle(sync, {}, { cwd: anyBranch.root });
    expect(result).toMatchObject({ branch: 'main', commit: anyBranch.head });
  });

  it('a detached HEAD is E_GIT_DETACHED', async () => {
    const { root, head } = await project();
    git(root, 'checkout', '-q', head);
    const { error } = await world.handle(sync, {}, { cwd: root });
    expect(error).toMatchObject({ code: 'E_GIT_DETACHED' });
  });

  it('a branch without commits is E_GIT_NO_COMMITS', async () => {
    const { root } = await project();
    git(root, 'checkout', '-q', '--orphan', 'codevf-empty');
    git(root, 'rm', '-rq', '--cached', '.');
    git(root, 'branch', '-q', '-D', 'codevf');
    git(root, 'checkout', '-q', '--orphan', 'codevf');
    const { error } = await world.handle(sync, {}, { cwd: root });
    expect(error).toMatchObject({ code: 'E_GIT_NO_COMMITS' });
  });

  it('no project here is E_NO_PROJECT, before the login or the server is looked at', async () => {
    const empty = tempDir();
    dirs.push(empty);
    const { error } = await world.handle(sync, {}, { cwd: empty });
    expect(error).toMatchObject({ code: 'E_NO_PROJECT', message: 'No CodeVF project found.\nPlease run: codevf init' });
    expect(server.seen).toEqual([]);
  });

  it('a project folder that is not a git repository is refused', async () => {
    const plain = tempDir();
    dirs.push(plain);
    await writeProjectConfig(plain, {
      version: '1',
      projectId: 'p_x',
      allowedTools: [],
      testCommand: '',
      buildCommand: '',
      repoUploaded: false,
      branchMode: 'codevf',
      createdAt: new Date().toISOString(),
    });
    const { error } = await world.handle(sync, {}, { cwd: plain });
    expect(error).toMatchObject({ code: 'E_NOT_GIT_REPO' });
    expect(existsSync(lastSyncPath(plain))).toBe(false);
  });

  it('not logged in is E_NOT_LOGGED_IN and nothing is written', async () => {
    const { root } = await project();
    await world.storeLogin(server.login({ baseUrl: 'http://127.0.0.2:9' }));
    const { error } = await world.handle(sync, {}, { cwd: root, env: { CODEVF_API_URL: server.baseUrl } });
    expect(error).toMatchObject({ code: 'E_NOT_LOGGED_IN', exitCode: 4 });
    expect(existsSync(lastSyncPath(root))).toBe(false);
  });

  it('server down is E_UNREACHABLE and nothing is written', async () => {
    const { root } = await project();
    await world.storeLogin(server.login({ baseUrl: await deadUrl() }));
    const { error } = await world.handle(sync, {}, { cwd: root });
    expect(error).toMatchObject({ code: 'E_UNREACHABLE', exitCode: 5 });
    expect(existsSync(lastSyncPath(root))).toBe(false);
  });

  it('a project the server does not know is E_NOT_FOUND', async () => {
    const { root } = await project();
    const config = JSON.parse(readFileSync(configPath(root), 'utf8'));
    writeFileSync(configPath(root), JSON.stringify({ ...config, projectId: 'p_gone' }));
    const { error } = await world.handle(sync, {}, { cwd: root });
    expect(error).toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

describe('codevf sync', () => {
  it('--json: the envelope with exit 0', async () => {
    const { root, head } = await project();
    const out = await world.run(['sync', '--json'], { cwd: root });
    expect(out.code).toBe(0);
    expect(out.json()).toMatchObject({ ok: true, data: { branch: 'codevf', commit: head, bundle: null } });
    expect(out.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('text: the commit, the bundle and a note about uncommitted changes', async () => {
    const { root, head } = await project('codevf', { uploadsAllowed: true });
    writeTree(root, { 'README.md': '# changed\n' });
    const out = await world.run(['sync', '--force'], { cwd: root });
    expect(out.code).toBe(0);
    const kb = `${((server.uploads[0]?.bytes ?? 0) / 1024).toFixed(1)} KB`;
    expect(out.stdout).toBe(
      [
        `✔ Synced codevf at ${head.slice(0, 12)}`,
        `  Bundle   ${kb} uploaded`,
        '  Note     uncommitted changes were left out',
        'Engineers on your tasks can now work on this commit.',
        '',
      ].join('\n'),
    );
  });

  it('failures: the error code in the envelope and exit 1; usage errors exit 2', async () => {
    const { root } = await project('main');
    const wrong = await world.run(['sync', '--json'], { cwd: root });
    expect(wrong.code).toBe(1);
    expect(wrong.json()).toMatchObject({ ok: false, error: { code: 'E_GIT_WRONG_BRANCH' } });
    const text = await world.run(['sync'], { cwd: root });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain("Error: Please commit your changes to the 'codevf' branch.");
    const usage = await world.run(['sync', '--bundle'], { cwd: root });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Unknown option '--bundle'");
  });
});
