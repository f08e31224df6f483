import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Git with no user or system configuration: the machine's global excludes file or hooks must
 * not change what a test sees. Applied to this test process, so the code under test (which
 * runs git itself) sees the same isolation.
 */
export function isolateGit(): void {
  const home = mkdtempSync(join(tmpdir(), 'codevf-githome-'));
  Object.assign(process.env, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, 'gitconfig'),
    XDG_CONFIG_HOME: join(home, 'xdg'),
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  });
  writeFileSync(join(home, 'gitconfig'), '[init]\n\tdefaultBranch = main\n');
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
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
export function makeRepo(files: Record<string, string> = { 'README.md': '# hi\n' }, branch = 'main'): string {
  const dir = tempDir('codevf-repo-');
  git(dir, 'init', '-q', '-b', branch);
  writeTree(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}
