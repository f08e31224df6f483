import { execFile } from 'node:child_process';
import { CODEVF_BRANCH } from '@codevf/protocol/constants';
import { CodevfError } from '../core/errors';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

// No prompts for credentials (we never fetch, but a hook or helper could ask), no locks taken by
// read-only commands (a running editor's `git status` must not make ours fail), stable English.
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };

/** Runs git; resolves with its exit code (never rejects for a non-zero exit). */
export function runGit(args: string[], cwd: string): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: { ...process.env, ...GIT_ENV }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        if (code === 'ENOENT') {
          reject(new CodevfError('E_GIT_UNAVAILABLE', 'git was not found on PATH.'));
          return;
        }
        if (err && typeof code !== 'number' && stdout === '' && stderr === '') {
          reject(new CodevfError('E_GIT_UNAVAILABLE', `git could not be run: ${err.message}`, { cause: err }));
          return;
        }
        resolve({ code: err ? Number(code ?? 1) || 1 : 0, stdout, stderr });
      },
    );
  });
}

async function gitOk(args: string[], cwd: string): Promise<string> {
  const r = await runGit(args, cwd);
  if (r.code !== 0) {
    throw new CodevfError('E_INTERNAL', `git ${args[0]} failed: ${r.stderr.trim() || `exit code ${r.code}`}`);
  }
  return r.stdout;
}

export interface GitState {
  /** Top-level directory of the working tree. */
  toplevel: string;
  /** Current branch, or null when HEAD is detached. */
  branch: string | null;
  /** Commit HEAD points at, or null when the branch has no commits yet. */
  head: string | null;
  /** Uncommitted changes (staged, unstaged or untracked), CodeVF's own `.codevf/` folder aside. */
  dirty: boolean;
  /** Up to 20 of the changed paths, for the error message. */
  changes: string[];
  /** URL of the branch's remote (or `origin`), with any credentials removed. */
  remoteUrl: string | null;
}

/**
 * Removes credentials from a remote URL before it leaves the machine: `https://user:token@host/x`
 * becomes `https://host/x`. scp-style `git@host:path` names no secret (the user is always `git`)
 * and is kept as it is.
 */
export function redactRemoteUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*@)?(.*)$/i.exec(url);
  if (!m) return url;
  return `${m[1]}${m[3]}`;
}

/** Everything `codevf sync` needs to know about the repository around `cwd`. */
export async function readGitState(cwd: string): Promise<GitState> {
  const top = await runGit(['rev-parse', '--show-toplevel'], cwd);
  if (top.code !== 0) {
    if (/not a git repository/i.test(top.stderr)) {
      throw new CodevfError('E_NOT_GIT_REPO', `${cwd} is not inside a git repository.`);
    }
    throw new CodevfError('E_NOT_GIT_REPO', `git cannot use this directory: ${top.stderr.trim()}`);
  }
  const toplevel = top.stdout.trim();

  const ref = await runGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], toplevel);
  const branch = ref.code === 0 ? ref.stdout.trim() : null;

  const rev = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], toplevel);
  const head = rev.code === 0 ? rev.stdout.trim() : null;

  // `.codevf/` holds CodeVF's own files (last_sync.json changes on every sync); they must not
  // make the tree count as dirty. The glob form also covers a project inside a monorepo.
  const status = await gitOk(
    ['status', '--porcelain=v1', '-z', '--untracked-files=normal', '--', '.', ':(exclude,glob)**/.codevf/**'],
    toplevel,
  );
  const changes = status
    .split('\0')
    .filter((line) => line.length > 3)
    .map((line) => line.slice(3));

  return {
    toplevel,
    branch,
    head,
    dirty: changes.length > 0,
    changes: changes.slice(0, 20),
    remoteUrl: await readRemoteUrl(toplevel, branch),
  };
}

async function readRemoteUrl(cwd: string, branch: string | null): Promise<string | null> {
  const remotes = (await gitOk(['remote'], cwd)).split('\n').filter(Boolean);
  if (remotes.length === 0) return null;
  let name: string | undefined;
  if (branch) {
    const tracked = await runGit(['config', '--get', `branch.${branch}.remote`], cwd);
    const candidate = tracked.stdout.trim();
    if (tracked.code === 0 && remotes.includes(candidate)) name = candidate;
  }
  name ??= remotes.includes('origin') ? 'origin' : remotes[0];
  const url = await runGit(['remote', 'get-url', name as string], cwd);
  return url.code === 0 && url.stdout.trim() ? redactRemoteUrl(url.stdout.trim()) : null;
}

/** The exact guidance of spec §4.4 for someone who is not on the codevf branch. */
export const WRONG_BRANCH_GUIDANCE = `Please commit your changes to the '${CODEVF_BRANCH}' branch.

To create and switch:
  git checkout -b ${CODEVF_BRANCH}
  git add .
  git commit -m "Your changes"
  codevf sync`;

/** The message of spec §9.8 (the CLI prints it after its usual "Error: "). */
export const DIRTY_TREE_MESSAGE = `Working directory has uncommitted changes.
Please commit or stash changes before syncing.

Use --force to sync anyway (not recommended)`;

export interface SyncCheck {
  /** Branches engineers may use: only `codevf`, or whatever the customer is on. */
  branchMode: 'codevf' | 'any';
  force: boolean;
}

/**
 * Refuses a state `codevf sync` must not send, each with its own code: detached HEAD, a
 * branch without commits, the wrong branch, uncommitted changes (unless forced).
 */
export type SyncableState = GitState & { branch: string; head: string };

export function assertSyncable(state: GitState, check: SyncCheck): SyncableState {
  if (state.branch === null) {
    throw new CodevfError('E_GIT_DETACHED', 'HEAD is detached: you are not on any branch.', {
      hint:
        check.branchMode === 'codevf'
          ? `Run: git checkout ${CODEVF_BRANCH} (or git checkout -b ${CODEVF_BRANCH})`
          : 'Run: git checkout <branch>',
    });
  }
  if (state.head === null) {
    throw new CodevfError('E_GIT_NO_COMMITS', `The branch '${state.branch}' has no commits yet.`);
  }
  if (check.branchMode === 'codevf' && state.branch !== CODEVF_BRANCH) {
    throw new CodevfError('E_GIT_WRONG_BRANCH', WRONG_BRANCH_GUIDANCE, {
      hint: `You are on '${state.branch}'. Run: git checkout -b ${CODEVF_BRANCH} (or git checkout ${CODEVF_BRANCH}), commit, then codevf sync`,
    });
  }
  if (state.dirty && !check.force) {
    throw new CodevfError('E_GIT_DIRTY', DIRTY_TREE_MESSAGE, {
      hint: `Uncommitted: ${state.changes.slice(0, 5).join(', ')}${state.changes.length > 5 ? ', …' : ''}`,
    });
  }
  return { ...state, branch: state.branch, head: state.head };
}

/**
 * Writes a git bundle of `branch` to `file`. HEAD is included (pointing at the branch) so that
 * `git clone <bundle>` checks the branch out without being told which one.
 */
export async function createBundle(cwd: string, branch: string, file: string): Promise<void> {
  const r = await runGit(['bundle', 'create', '--quiet', file, `refs/heads/${branch}`, 'HEAD'], cwd);
  if (r.code !== 0) {
    throw new CodevfError('E_INTERNAL', `git bundle create failed: ${r.stderr.trim() || `exit code ${r.code}`}`);
  }
}
