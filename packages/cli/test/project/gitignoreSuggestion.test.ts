import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addCacheIgnore, needsCacheIgnore } from '../../src/project/gitignoreSuggestion';
import { cleanup, git, isolateGit, tempDir, writeTree } from './gitFixture';

beforeAll(isolateGit);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) cleanup(d);
});
function repo(files: Record<string, string>, withGit = true): string {
  const d = tempDir();
  dirs.push(d);
  if (withGit) git(d, 'init', '-q');
  writeTree(d, files);
  return d;
}

describe('.codevf/cache/ suggestion', () => {
  it('is suggested in a git repository until a rule covers the folder', async () => {
    expect(await needsCacheIgnore(repo({}))).toBe(true);
    expect(await needsCacheIgnore(repo({ '.gitignore': 'node_modules/\n' }))).toBe(true);
    expect(await needsCacheIgnore(repo({ '.gitignore': '.codevf/cache/\n' }))).toBe(false);
    expect(await needsCacheIgnore(repo({ '.gitignore': '.codevf/\n' }))).toBe(false);
    expect(await needsCacheIgnore(repo({ '.gitignore': 'cache/\n' }))).toBe(false);
  });

  it('is not suggested outside git without a .gitignore', async () => {
    expect(await needsCacheIgnore(repo({}, false))).toBe(false);
    expect(await needsCacheIgnore(repo({ '.gitignore': 'x\n' }, false))).toBe(true);
  });

  it('appends the line on its own line, and git then ignores the folder', async () => {
    const root = repo({ '.gitignore': 'dist/', '.codevf/cache/x.json': '{}', 'a.txt': 'a' });
    await addCacheIgnore(root);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('dist/\n# CodeVF local cache\n.codevf/cache/\n');
    expect(await needsCacheIgnore(root)).toBe(false);
    expect(git(root, 'status', '--porcelain', '--untracked-files=all')).not.toContain('.codevf/cache');
  });
});
