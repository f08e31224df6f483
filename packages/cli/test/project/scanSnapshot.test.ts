import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CodevfError } from '../../src/core/errors';
import { scanSnapshot } from '../../src/project/scanSnapshot';
import { cleanup, git, isolateGit, tempDir, writeTree } from './gitFixture';

beforeAll(isolateGit);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) cleanup(d);
});
function fixture(files: Record<string, string | Buffer>): string {
  const d = tempDir('codevf-scan-');
  dirs.push(d);
  writeTree(d, files);
  return d;
}

/** What git would add: tracked plus untracked-but-not-ignored files, relative to `cwd`. */
function gitFiles(cwd: string): string[] {
  return git(cwd, 'ls-files', '-co', '--exclude-standard', '-z').split('\0').filter(Boolean).sort();
}

const scanned = async (root: string) => (await scanSnapshot(root)).entries.map((e) => e.path).sort();

// Nested ignore files, negations, anchored and directory-only patterns, a deeper file
// re-including what a shallower one excludes, and git's rule that a file inside an excluded
// directory cannot be re-included.
const IGNORE_FIXTURE: Record<string, string> = {
  '.gitignore': [
    '*.log',
    '!important.log',
    '/build/',
    'node_modules',
    'tmp*',
    'sub/*',
    'docs/**/*.draft.md',
    'cache/',
    '!cache/keep.txt',
    '\\#literal',
    'spaced\\ name',
  ].join('\n'),
  'a.log': 'x',
  'important.log': 'x',
  'build/out.js': 'x',
  'src/build/keep.js': 'x',
  'src/app.ts': 'x',
  'src/debug.log': 'x',
  'src/.gitignore': '!debug.log\n*.gen.ts\n/local.ts\n',
  'src/local.ts': 'x',
  'src/nested/local.ts': 'x',
  'src/nested/x.gen.ts': 'x',
  'src/nested/.gitignore': '!*.gen.ts\n',
  'src/other.gen.ts': 'x',
  'node_modules/dep/index.js': 'x',
  'packages/a/node_modules/dep/index.js': 'x',
  'tmpfile.txt': 'x',
  'sub/.gitignore': '!keep/\n!inner.txt\n',
  'sub/inner.txt': 'x',
  'sub/dropped.txt': 'x',
  'sub/keep/a.txt': 'x',
  'sub/keep/deep/b.txt': 'x',
  'docs/guide/a.draft.md': 'x',
  'docs/guide/a.md': 'x',
  'cache/keep.txt': 'x',
  'cache/other.txt': 'x',
  '#literal': 'x',
  'spaced name': 'x',
  'info-excluded.txt': 'x',
  'README.md': 'x',
};

describe('scanSnapshot ignore semantics', () => {
  it('matches git ls-files -co --exclude-standard on nested ignores and negations', async () => {
    const root = fixture(IGNORE_FIXTURE);
    git(root, 'init', '-q');
    writeFileSync(join(root, '.git', 'info', 'exclude'), 'info-excluded.txt\n');
    const expected = gitFiles(root);
    // Sanity: the fixture exercises both directions.
    expect(expected).toContain('sub/keep/deep/b.txt');
    expect(expected).toContain('src/debug.log');
    expect(expected).not.toContain('cache/keep.txt');
    expect(expected).not.toContain('info-excluded.txt');
    expect(await scanned(root)).toEqual(expected);
  });

  it('matches git with tracked files committed (ignore rules apply to the rest)', async () => {
    const root = fixture(IGNORE_FIXTURE);
    git(root, 'init', '-q');
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'x');
    writeTree(root, { 'src/new.ts': 'x', 'src/new.log': 'x', 'sub/keep/c.txt': 'x' });
    expect(await scanned(root)).toEqual(gitFiles(root));
  });

  it('honours .gitignore files above a project root that sits inside a repository', async () => {
    const top = fixture({
      '.gitignore': 'secret-dir/\n*.tmp\n',
      'apps/web/.gitignore': 'dist/\n',
      'apps/web/src/a.ts': 'x',
      'apps/web/src/a.tmp': 'x',
      'apps/web/secret-dir/x.ts': 'x',
      'apps/web/dist/x.js': 'x',
      'apps/other/b.ts': 'x',
    });
    git(top, 'init', '-q');
    const root = join(top, 'apps');
    expect(await scanned(root)).toEqual(gitFiles(root));
    expect(await scanned(root)).toEqual(['other/b.ts', 'web/.gitignore', 'web/src/a.ts']);
  });

  it('works outside any git repository and lets .codevfignore exclude more and re-include', async () => {
    const root = fixture({
      '.gitignore': 'generated/\n*.snap\n',
      '.codevfignore': 'fixtures/big/\n!keep.snap\n',
      'generated/x.ts': 'x',
      'a.snap': 'x',
      'keep.snap': 'x',
      'fixtures/big/x.bin': 'x',
      'fixtures/small.txt': 'x',
    });
    const plan = await scanSnapshot(root);
    expect(plan.entries.map((e) => e.path).sort()).toEqual([
      '.codevfignore',
      '.gitignore',
      'fixtures/small.txt',
      'keep.snap',
    ]);
    expect(plan.excluded).toEqual(
      expect.arrayContaining([
        { path: 'fixtures/big', dir: true, reason: 'codevfignore', detail: '.codevfignore: fixtures/big/' },
        { path: 'generated', dir: true, reason: 'gitignore', detail: '.gitignore: generated/' },
        { path: 'a.snap', dir: false, reason: 'gitignore', detail: '.gitignore: *.snap' },
      ]),
    );
  });
});

describe('scanSnapshot exclusions', () => {
  it('never includes .git, .codevf, secrets or large binaries, and says why', async () => {
    const root = fixture({
      '.env': 'TOKEN=1',
      '.env.production': 'TOKEN=2',
      'config/server.key': 'k',
      'certs/site.pem': 'p',
      '.ssh/id_ed25519': 'k',
      '.aws/credentials': 'c',
      'deploy/service-account-prod.json': '{}',
      '.codevf/config.json': '{}',
      'assets/big.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]), Buffer.alloc(2 * 1024 * 1024, 1)]),
      'assets/small.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
      'data/big.csv': 'a,b\n'.repeat(600_000),
      'src/index.ts': 'x',
    });
    git(root, 'init', '-q');
    const plan = await scanSnapshot(root);
    expect(plan.entries.map((e) => e.path).sort()).toEqual(['assets/small.png', 'data/big.csv', 'src/index.ts']);
    const reasons = Object.fromEntries(plan.excluded.map((e) => [e.path, e.reason]));
    expect(reasons).toEqual({
      '.git': 'vcs',
      '.codevf': 'codevf',
      '.env': 'sensitive',
      '.env.production': 'sensitive',
      'config/server.key': 'sensitive',
      'certs/site.pem': 'sensitive',
      '.ssh': 'sensitive',
      '.aws': 'sensitive',
      'deploy/service-account-prod.json': 'sensitive',
      'assets/big.png': 'binary',
    });
    expect(plan.totalBytes).toBe(plan.entries.reduce((n, e) => n + e.size, 0));
  });

  it('keeps secrets out even when .codevfignore tries to bring them back', async () => {
    const root = fixture({ '.gitignore': '.env\n', '.codevfignore': '!.env\n', '.env': 'SECRET=1', 'a.ts': 'x' });
    const plan = await scanSnapshot(root);
    expect(plan.entries.map((e) => e.path)).not.toContain('.env');
  });

  it('refuses a tree over the total limit with E_TOO_LARGE naming the largest files', async () => {
    const root = fixture({ 'big.txt': 'x'.repeat(3000), 'small.txt': 'x'.repeat(10) });
    const err = await scanSnapshot(root, { maxTotalBytes: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodevfError);
    expect((err as CodevfError).code).toBe('E_TOO_LARGE');
    expect((err as CodevfError).message).toMatch(/big\.txt/);
    // At the limit exactly is fine.
    expect((await scanSnapshot(root, { maxTotalBytes: 3010 })).totalBytes).toBe(3010);
  });

  it('stores symlinks as links without following them, and keeps the executable bit', async () => {
    const outside = fixture({ 'secret.txt': 'do not read' });
    const root = fixture({ 'run.sh': '#!/bin/sh\n' });
    chmodSync(join(root, 'run.sh'), 0o755);
    symlinkSync(join(outside, 'secret.txt'), join(root, 'link'));
    mkdirSync(join(root, 'd'));
    symlinkSync(outside, join(root, 'd', 'dirlink'));
    const plan = await scanSnapshot(root);
    const byPath = Object.fromEntries(plan.entries.map((e) => [e.path, e]));
    expect(byPath['run.sh']?.mode).toBe(0o755);
    expect(byPath.link).toMatchObject({ size: 0, linkTarget: join(outside, 'secret.txt') });
    expect(byPath['d/dirlink']).toMatchObject({ size: 0, linkTarget: outside });
    expect(plan.entries).toHaveLength(3);
  });
});
