import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findWorkTreeTop, IgnoreRules } from './ignoreRules';

/** The line spec §3 asks `codevf init` to suggest. */
export const CACHE_IGNORE_LINE = '.codevf/cache/';

/**
 * Whether the project should be told to ignore `.codevf/cache/`: it is in a git work tree (or
 * has a .gitignore) and no ignore rule covers the folder yet.
 */
export async function needsCacheIgnore(root: string): Promise<boolean> {
  const inGit = (await findWorkTreeTop(root)) !== null;
  const hasGitignore = await readFile(join(root, '.gitignore'), 'utf8').then(
    () => true,
    () => false,
  );
  if (!inGit && !hasGitignore) return false;
  const rules = await IgnoreRules.forRoot(root);
  return !rules.check('.codevf', true).ignored && !rules.check('.codevf/cache', true).ignored;
}

/** Appends the line to the root .gitignore (creating it), on a line of its own. */
export async function addCacheIgnore(root: string): Promise<void> {
  const file = join(root, '.gitignore');
  const current = await readFile(file, 'utf8').catch(() => '');
  const lead = current && !current.endsWith('\n') ? '\n' : '';
  await appendFile(file, `${lead}# CodeVF local cache\n${CACHE_IGNORE_LINE}\n`);
}
