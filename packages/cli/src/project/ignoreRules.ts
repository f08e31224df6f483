import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { toPosix } from '../safety/confinePath';

export type IgnoreSource = 'gitignore' | 'codevfignore';

/** One ignore file: its rules and where paths tested against it are anchored. */
interface RuleSet {
  ig: Ignore;
  source: IgnoreSource;
  /** The file the rules came from, relative to the project root (may start with ../). */
  file: string;
  /** Turns a path relative to the project root into one relative to this file's directory. */
  prefix: string;
  strip: number;
}

export interface IgnoreVerdict {
  ignored: boolean;
  source?: IgnoreSource;
  /** The ignore file whose rule decided. */
  file?: string;
  /** The rule that excluded the path. */
  pattern?: string;
}

// git is case-sensitive on Linux and sets core.ignorecase on the file systems that are not.
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

async function readRules(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/** Escapes a literal path segment so gitignore reads it as text, not as a glob. */
function escapeGlob(path: string): string {
  return path.replace(/[\\*?[\]]/g, '\\$&').replace(/ $/, '\\ ');
}

/**
 * The gitignore rules in force in one directory of the walk, deepest file first, with git's
 * precedence (gitignore(5)): the closest `.gitignore` with a matching rule decides, the last
 * matching rule within a file wins, `$GIT_DIR/info/exclude` comes after every `.gitignore`.
 * `.codevfignore` files are read the same way and outrank every `.gitignore`, so they can
 * both exclude more and bring back what git ignores.
 *
 * The walk never descends into an excluded directory (git cannot re-include a file whose
 * parent is excluded). One subtlety: the `ignore` library also checks a path's parent
 * directories against each file's rules, which is wrong when a deeper file re-included a
 * directory that a shallower file excludes; `enter()` neutralises that with a negation rule
 * for exactly that directory, so each file's rules judge only the path itself.
 */
export class IgnoreRules {
  private constructor(
    private readonly codevf: readonly RuleSet[],
    private readonly git: readonly RuleSet[],
  ) {}

  /**
   * The rules in force at the project root: `.gitignore` files of the enclosing git work tree
   * from its top down to the root, `info/exclude`, and the root's own ignore files.
   */
  static async forRoot(root: string): Promise<IgnoreRules> {
    const git: RuleSet[] = [];
    const top = await findWorkTreeTop(root);
    if (top) {
      const info = await readRules(join(top, '.git', 'info', 'exclude'));
      const rootFromTop = toPosix(relative(top, root));
      const prefixOf = (dir: string) => {
        const d = toPosix(relative(dir, root));
        return d ? `${d}/` : '';
      };
      if (info) {
        git.push(makeSet(info, 'gitignore', toPosix(relative(root, join(top, '.git/info/exclude'))), prefixOf(top), 0));
      }
      // The work tree's top and the directories down to (not including) the root, which
      // withDirectory() adds below like every directory of the walk.
      const segments = rootFromTop ? rootFromTop.split('/') : [];
      for (let i = 0; i < segments.length; i++) {
        const dir = join(top, ...segments.slice(0, i));
        const text = await readRules(join(dir, '.gitignore'));
        if (text) {
          git.push(makeSet(text, 'gitignore', toPosix(relative(root, join(dir, '.gitignore'))), prefixOf(dir), 0));
        }
      }
    }
    return new IgnoreRules([], git).withDirectory(root, '');
  }

  /** Adds the ignore files of directory `rel` (relative to the root, '' for the root itself). */
  async withDirectory(root: string, rel: string): Promise<IgnoreRules> {
    const abs = rel ? join(root, rel) : root;
    const strip = rel ? rel.length + 1 : 0;
    const [gitText, codevfText] = await Promise.all([
      readRules(join(abs, '.gitignore')),
      readRules(join(abs, '.codevfignore')),
    ]);
    if (!gitText && !codevfText) return this;
    const file = (name: string) => (rel ? `${rel}/${name}` : name);
    return new IgnoreRules(
      codevfText
        ? [...this.codevf, makeSet(codevfText, 'codevfignore', file('.codevfignore'), '', strip)]
        : this.codevf,
      gitText ? [...this.git, makeSet(gitText, 'gitignore', file('.gitignore'), '', strip)] : this.git,
    );
  }

  /** Whether `rel` (relative to the root, `/`-separated) is excluded; directories with `isDir`. */
  check(rel: string, isDir: boolean): IgnoreVerdict {
    const path = isDir ? `${rel}/` : rel;
    for (const chain of [this.codevf, this.git]) {
      for (let i = chain.length - 1; i >= 0; i--) {
        const set = chain[i] as RuleSet;
        const r = set.ig.test(set.prefix + path.slice(set.strip));
        if (r.ignored) return { ignored: true, source: set.source, file: set.file, pattern: r.rule?.pattern };
        if (r.unignored) return { ignored: false };
      }
    }
    return { ignored: false };
  }

  /**
   * The rules for the inside of directory `rel`, which the walk has decided to include. Any
   * file whose own rules exclude `rel` (and lost to a deeper file's negation) gets a negation
   * for `rel`, so that it no longer excludes everything below it through the parent check.
   */
  enter(rel: string): IgnoreRules {
    const fix = (chain: readonly RuleSet[]) => {
      let changed = false;
      const out = chain.map((set) => {
        const local = set.prefix + rel.slice(set.strip);
        if (!set.ig.test(`${local}/`).ignored) return set;
        changed = true;
        const ig = ignore({ ignorecase: IGNORE_CASE })
          .add(set.ig)
          .add(`!/${escapeGlob(local)}/`);
        return { ...set, ig };
      });
      return changed ? out : chain;
    };
    const codevf = fix(this.codevf);
    const git = fix(this.git);
    return codevf === this.codevf && git === this.git ? this : new IgnoreRules(codevf, git);
  }
}

function makeSet(text: string, source: IgnoreSource, file: string, prefix: string, strip: number): RuleSet {
  return { ig: ignore({ ignorecase: IGNORE_CASE }).add(text), source, file, prefix, strip };
}

/** The top of the git work tree holding `dir` (a `.git` folder or file), or null. */
export async function findWorkTreeTop(dir: string): Promise<string | null> {
  for (let d = dir; ; ) {
    try {
      await stat(join(d, '.git'));
      return d;
    } catch {
      const parent = dirname(d);
      if (parent === d) return null;
      d = parent;
    }
  }
}
