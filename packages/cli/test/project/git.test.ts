import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CodevfError } from '../../src/core/errors';
import {
  assertSyncable,
  createBundle,
  DIRTY_TREE_MESSAGE,
  type GitState,
  readGitState,
  redactRemoteUrl,
  WRONG_BRANCH_GUIDANCE,
} from '../../src/project/git';
import { cleanup, git, isolateGit, makeRepo, tempDir } from './gitFixture';

beforeAll(isolateGit);
const dirs: string[] = [];
const track = (d: string) => {
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) cleanup(d);
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodevfError);
    return (err as CodevfError).code;
  }
  return undefined;
}

describe('readGitState', () => {
  it('reports branch, HEAD, a clean tree and the remote without credentials', async () => {
    const repo = track(makeRepo({ 'a.txt': 'a' }, 'codevf'));
    git(repo, 'remote', 'add', 'origin', 'https://alice:ghp_secret@github.com/acme/shop.git');
    const state = await readGitState(join(repo));
    expect(state).toMatchObject({
      branch: 'codevf',
      dirty: false,
      changes: [],
      remoteUrl: 'https://github.com/acme/shop.git',
    });
    expect(state.head).toBe(git(repo, 'rev-parse', 'HEAD').trim());
    expect(JSON.stringify(state)).not.toContain('ghp_secret');
  });

  it('prefers the remote the branch tracks', async () => {
    const repo = track(makeRepo());
    git(repo, 'remote', 'add', 'origin', 'git@github.com:acme/a.git');
    git(repo, 'remote', 'add', 'upstream', 'git@github.com:acme/b.git');
    git(repo, 'config', 'branch.main.remote', 'upstream');
    expect((await readGitState(repo)).remoteUrl).toBe('git@github.com:acme/b.git');
  });

  it('sees staged, unstaged and untracked changes but not CodeVF’s own folder', async () => {
    const repo = track(makeRepo({ 'a.txt': 'a', 'b.txt': 'b' }));
    mkdirSync(join(repo, '.codevf'));
    writeFileSync(join(repo, '.codevf', 'last_sync.json'), '{}');
    expect((await readGitState(repo)).dirty).toBe(false);
    writeFileSync(join(repo, 'a.txt'), 'changed');
    writeFileSync(join(repo, 'new.txt'), 'new');
    const state = await readGitState(repo);
    expect(state.dirty).toBe(true);
    expect(state.changes.sort()).toEqual(['a.txt', 'new.txt']);
  });

  it('reports a detached HEAD and a branch with no commits', async () => {
    const repo = track(makeRepo());
    git(repo, 'checkout', '-q', '--detach');
    expect((await readGitState(repo)).branch).toBeNull();

    const empty = track(tempDir());
    git(empty, 'init', '-q', '-b', 'codevf');
    expect(await readGitState(empty)).toMatchObject({ branch: 'codevf', head: null, remoteUrl: null });
  });

  it('fails with E_NOT_GIT_REPO outside a repository', async () => {
    const dir = track(tempDir());
    const err = await readGitState(dir).catch((e: unknown) => e);
    expect((err as CodevfError).code).toBe('E_NOT_GIT_REPO');
  });
});

describe('assertSyncable', () => {
  const ok: GitState = {
    toplevel: '/r',
    branch: 'codevf',
    head: 'a'.repeat(40),
    dirty: false,
    changes: [],
    remoteUrl: null,
  };
  const strict = { branchMode: 'codevf' as const, force: false };

  it('accepts a clean codevf branch', () => {
    expect(codeOf(() => assertSyncable(ok, strict))).toBeUndefined();
  });

  it('gives each refusal its own code, checked in a fixed order', () => {
    expect(codeOf(() => assertSyncable({ ...ok, branch: null, dirty: true }, strict))).toBe('E_GIT_DETACHED');
    expect(codeOf(() => assertSyncable({ ...ok, head: null, branch: 'main' }, strict))).toBe('E_GIT_NO_COMMITS');
    expect(codeOf(() => assertSyncable({ ...ok, branch: 'main', dirty: true }, strict))).toBe('E_GIT_WRONG_BRANCH');
    expect(codeOf(() => assertSyncable({ ...ok, dirty: true, changes: ['a'] }, strict))).toBe('E_GIT_DIRTY');
  });

  it('lets --force through a dirty tree but never the wrong branch', () => {
    const force = { branchMode: 'codevf' as const, force: true };
    expect(codeOf(() => assertSyncable({ ...ok, dirty: true }, force))).toBeUndefined();
    expect(codeOf(() => assertSyncable({ ...ok, branch: 'main' }, force))).toBe('E_GIT_WRONG_BRANCH');
  });

  it('accepts any branch when the project allows it', () => {
    expect(
      codeOf(() => assertSyncable({ ...ok, branch: 'main' }, { branchMode: 'any', force: false })),
    ).toBeUndefined();
  });

  it('uses the spec’s exact texts', () => {
    let message = '';
    try {
      assertSyncable({ ...ok, branch: 'main' }, strict);
    } catch (err) {
      message = (err as CodevfError).message;
    }
    expect(message).toBe(WRONG_BRANCH_GUIDANCE);
    expect(WRONG_BRANCH_GUIDANCE).toContain(
      'git checkout -b codevf\n  git add .\n  git commit -m "Your changes"\n  codevf sync',
    );
    expect(`Error: ${DIRTY_TREE_MESSAGE}`).toBe(
      'Error: Working directory has uncommitted changes.\nPlease commit or stash changes before syncing.\n\nUse --force to sync anyway (not recommended)',
    );
  });
});

describe('redactRemoteUrl', () => {
  it.each([
    ['https://user:token@github.com/a/b.git', 'https://github.com/a/b.git'],
    ['https://token@github.com/a/b.git', 'https://github.com/a/b.git'],
    ['ssh://git@host:22/a/b.git', 'ssh://host:22/a/b.git'],
    ['git@github.com:a/b.git', 'git@github.com:a/b.git'],
    ['https://github.com/a/b.git', 'https://github.com/a/b.git'],
    ['/srv/repos/b.git', '/srv/repos/b.git'],
  ])('%s → %s', (input, output) => {
    expect(redactRemoteUrl(input)).toBe(output);
  });
});

describe('createBundle', () => {
  it('writes a bundle that verifies and clones to the same HEAD', async () => {
    const repo = track(makeRepo({ 'a.txt': 'a' }, 'codevf'));
    const out = track(tempDir());
    const file = join(out, 'repo.bundle');
    await createBundle(repo, 'codevf', file);
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const verified = git(repo, 'bundle', 'verify', file);
    expect(verified).toContain(`${head} refs/heads/codevf\n`);
    expect(verified).toContain(`${head} HEAD\n`);
    expect(verified).toContain('The bundle records a complete history.');
    git(out, 'clone', '-q', file, 'clone');
    expect(git(join(out, 'clone'), 'rev-parse', 'HEAD')).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(git(join(out, 'clone'), 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('codevf');
  });

  it('fails for a branch that does not exist', async () => {
    const repo = track(makeRepo());
    const err = await createBundle(repo, 'codevf', join(repo, 'x.bundle')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodevfError);
  });
});
