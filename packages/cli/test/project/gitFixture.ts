import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

let gitHome: string | undefined;

/** One git HOME per test process, made on first use, so importing this file writes nothing. */
function isolatedGitHome(): string {
  if (!gitHome) {
    gitHome = mkdtempSync(join(tmpdir(), 'codevf-githome-'));
    writeFileSync(join(gitHome, 'gitconfig'), '[init]\n\tdefaultBranch = main\n');
  }
  return gitHome;
}

/**
 * Git with no user or system configuration: the machine's global excludes file or hooks must
 * not change what a test sees. Pass it to the CLIs a test starts. XDG_CONFIG_HOME is not in it:
 * the CLI keeps its own login under that folder.
 */
export function gitEnv(): Record<string, string> {
  return {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(isolatedGitHome(), 'gitconfig'),
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
}

/** XDG_CONFIG_HOME also hides the user's ~/.config/git from the git a test runs. */
const gitOnlyEnv = () => ({ ...gitEnv(), XDG_CONFIG_HOME: join(isolatedGitHome(), 'xdg') });

/**
 * Applies the isolation to this test process, so the code under test (which runs git itself)
 * sees it too.
 */
export function isolateGit(): void {
  Object.assign(process.env, gitOnlyEnv());
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...gitOnlyEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A fresh temp directory; remove it with `cleanup`. */
export function tempDir(prefix = 'codevf-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes files given as { 'a/b.txt': 'content' }, creating folders. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** A git repository in a temp dir with one commit of `files` on `branch`. */
export function makeRepo(
  files: Record<string, string> = { 'README.md': '# hi\n' },
  branch = 'main',
  prefix = 'codevf-repo-',
): string {
  const dir = tempDir(prefix);
  git(dir, 'init', '-q', '-b', branch);
  writeTree(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** A pnpm project with test and build scripts: what `codevf init` detects as node/pnpm. */
export const PNPM_PROJECT: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'shop', scripts: { test: 'vitest run', build: 'tsc -p .' } }),
  'pnpm-lock.yaml': 'lockfileVersion: 9\n',
  '.gitignore': 'node_modules/\ndist/\n',
  'src/index.ts': 'export const answer = 42;\n',
};
