/**
 * Shared by the project e2e tests (init, sync): a logged-in temp HOME, real git repositories
 * in temp dirs with no user/system git configuration, and tar.gz extraction.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { authFileFor } from './harness/cli';
import type { TestServer, TestUser } from './harness/server';

const gitHome = mkdtempSync(join(tmpdir(), 'codevf-e2e-githome-'));
writeFileSync(join(gitHome, 'gitconfig'), '[init]\n\tdefaultBranch = main\n');

/** Git isolated from the machine's configuration, for the tests and for the CLIs they start. */
export const GIT_ENV: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: join(gitHome, 'gitconfig'),
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...GIT_ENV, XDG_CONFIG_HOME: join(gitHome, 'xdg') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** A Node project in a git repository with one commit on `branch`. */
export function nodeRepo(branch = 'codevf', extra: Record<string, string> = {}): string {
  const dir = tempDir('codevf-e2e-proj-');
  git(dir, 'init', '-q', '-b', branch);
  writeTree(dir, {
    'package.json': JSON.stringify({ name: 'shop', scripts: { test: 'vitest run', build: 'tsc -p .' } }),
    'pnpm-lock.yaml': 'lockfileVersion: 9\n',
    '.gitignore': 'node_modules/\ndist/\n',
    'src/index.ts': 'export const answer = 42;\n',
    ...extra,
  });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** Stores a login for `user` in `home`, as `codevf login` would have. */
export async function storeLogin(server: TestServer, home: string, user: TestUser): Promise<void> {
  const tokens = await server.issueTokens(user.id);
  const file = authFileFor(home);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(
    file,
    JSON.stringify({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(Date.now() + tokens.expiresIn * 1000).toISOString(),
      userId: user.id,
      baseUrl: server.baseUrl,
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
    }),
    { mode: 0o600 },
  );
}

/** The files of a tar.gz (name → content). */
export async function extractTarGz(source: string | Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = tar.extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      files.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  const input = typeof source === 'string' ? createReadStream(source) : Readable.from([source]);
  await pipeline(input, createGunzip(), ex);
  return files;
}

/** GETs a download from the server as `token`. */
export async function download(server: TestServer, token: string, path: string) {
  const res = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: res.status,
    sha256: res.headers.get('x-content-sha256'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}
