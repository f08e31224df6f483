import type { Dirent } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CodevfError } from '../core/errors';
import { isSensitivePath } from '../safety/sensitiveFiles';
import { IgnoreRules } from './ignoreRules';
import { PROJECT_DIR } from './projectConfig';

/** Largest total of file content a snapshot may hold, before compression. */
export const DEFAULT_SNAPSHOT_MAX_BYTES = 256 * 1024 * 1024;
/** Binary files above this size are left out: engineers read code, not build outputs or media. */
export const DEFAULT_BINARY_MAX_BYTES = 1024 * 1024;
/** git's own test: a NUL byte in the first 8000 bytes means binary. */
const BINARY_SNIFF_BYTES = 8000;

export interface SnapshotEntry {
  /** Relative to the project root, `/`-separated. */
  path: string;
  size: number;
  /** Executable or not, as git keeps it. */
  mode: 0o644 | 0o755;
  mtime: Date;
  /** For symbolic links: the link's target text (links are stored, never followed). */
  linkTarget?: string;
}

export type ExclusionReason =
  | 'gitignore'
  | 'codevfignore'
  | 'sensitive'
  | 'binary'
  | 'vcs'
  | 'codevf'
  | 'special'
  | 'unreadable';

export interface ExcludedEntry {
  path: string;
  dir: boolean;
  reason: ExclusionReason;
  /** The rule or limit that excluded it, for people. */
  detail?: string;
  size?: number;
}

export interface SnapshotPlan {
  root: string;
  /** Included files and links, in the order they are archived. */
  entries: SnapshotEntry[];
  excluded: ExcludedEntry[];
  /** Sum of included file sizes. */
  totalBytes: number;
}

export interface ScanOptions {
  maxTotalBytes?: number;
  maxBinaryBytes?: number;
}

const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function isBinary(abs: string): Promise<boolean> {
  const handle = await open(abs, 'r');
  try {
    const buf = Buffer.alloc(BINARY_SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, BINARY_SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;

/**
 * Decides what a snapshot of `root` holds, without reading file contents (except to sniff
 * large files for binary data). Honours `.gitignore` files (nested, with negations, as
 * `git ls-files -co --exclude-standard` does) and `.codevfignore`; always leaves out `.git`,
 * CodeVF's own `.codevf/` folder, secret files and binaries over `maxBinaryBytes`. Stops with
 * E_TOO_LARGE as soon as the included content passes `maxTotalBytes`, so nothing is uploaded.
 */
export async function scanSnapshot(root: string, options: ScanOptions = {}): Promise<SnapshotPlan> {
  const maxTotal = options.maxTotalBytes ?? DEFAULT_SNAPSHOT_MAX_BYTES;
  const maxBinary = options.maxBinaryBytes ?? DEFAULT_BINARY_MAX_BYTES;
  const plan: SnapshotPlan = { root, entries: [], excluded: [], totalBytes: 0 };

  const tooLarge = () => {
    const largest = [...plan.entries]
      .sort((a, b) => b.size - a.size)
      .slice(0, 5)
      .map((e) => `${e.path} (${mib(e.size)})`)
      .join(', ');
    return new CodevfError(
      'E_TOO_LARGE',
      `The snapshot would hold more than ${mib(maxTotal)} (the limit). Largest files so far: ${largest}.`,
      { hint: 'Leave out large or generated files with a .codevfignore file (gitignore syntax), or skip the upload.' },
    );
  };

  async function walk(rel: string, rules: IgnoreRules): Promise<void> {
    const abs = rel ? join(root, rel) : root;
    let dirents: Dirent[];
    try {
      dirents = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      if (!rel) throw err;
      plan.excluded.push({ path: rel, dir: true, reason: 'unreadable', detail: (err as Error).message });
      return;
    }
    dirents.sort(byName);
    for (const d of dirents) {
      const path = rel ? `${rel}/${d.name}` : d.name;
      const isDir = d.isDirectory();
      if (d.name === '.git') {
        plan.excluded.push({ path, dir: isDir, reason: 'vcs' });
        continue;
      }
      if (!rel && d.name === PROJECT_DIR) {
        plan.excluded.push({ path, dir: isDir, reason: 'codevf' });
        continue;
      }
      const verdict = rules.check(path, isDir);
      if (verdict.ignored) {
        const detail = verdict.pattern ? `${verdict.file}: ${verdict.pattern}` : verdict.file;
        plan.excluded.push({ path, dir: isDir, reason: verdict.source ?? 'gitignore', detail });
        continue;
      }
      // A sensitive directory (.ssh, .aws …) is checked through a path inside it.
      if (isSensitivePath(isDir ? `${path}/_` : path)) {
        plan.excluded.push({ path, dir: isDir, reason: 'sensitive' });
        continue;
      }
      if (isDir) {
        await walk(path, await rules.enter(path).withDirectory(root, path));
        continue;
      }
      if (!d.isFile() && !d.isSymbolicLink()) {
        plan.excluded.push({ path, dir: false, reason: 'special' });
        continue;
      }
      const full = join(abs, d.name);
      try {
        const st = await lstat(full);
        if (d.isSymbolicLink()) {
          plan.entries.push({ path, size: 0, mode: 0o644, mtime: st.mtime, linkTarget: await readlink(full) });
          continue;
        }
        if (st.size > maxBinary && (await isBinary(full))) {
          plan.excluded.push({
            path,
            dir: false,
            reason: 'binary',
            size: st.size,
            detail: `binary over ${mib(maxBinary)}`,
          });
          continue;
        }
        plan.entries.push({ path, size: st.size, mode: st.mode & 0o111 ? 0o755 : 0o644, mtime: st.mtime });
        plan.totalBytes += st.size;
        if (plan.totalBytes > maxTotal) throw tooLarge();
      } catch (err) {
        if (err instanceof CodevfError) throw err;
        plan.excluded.push({ path, dir: false, reason: 'unreadable', detail: (err as Error).message });
      }
    }
  }

  await walk('', await IgnoreRules.forRoot(root));
  return plan;
}
