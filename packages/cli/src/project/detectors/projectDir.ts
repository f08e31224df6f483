import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectType } from '@codevf/protocol';

/** What a detector found: the ecosystem, its tool, and default commands. */
export interface Detection {
  type: ProjectType;
  /** The package manager or build tool: npm, pnpm, poetry, cargo, gradle, … */
  tool: string;
  /** For people: "Node.js (pnpm)". */
  label: string;
  testCommand: string;
  buildCommand: string;
  /**
   * Whether each command comes from the project's own files (a package.json script, a composer
   * script) rather than the ecosystem's convention; a Makefile target replaces only the latter.
   */
  explicit: { test: boolean; build: boolean };
  /** The files that gave it away, shown when asking the user to confirm. */
  evidence: string[];
}

/** The top-level directory of a project, read once and shared by every detector. */
export interface ProjectDir {
  readonly root: string;
  /** Names of the entries directly in the root. */
  readonly names: ReadonlySet<string>;
  has(name: string): boolean;
  /** Text of a top-level file, or null when it is missing or unreadable. */
  read(name: string): Promise<string | null>;
  /** A top-level JSON file's object, or null when missing or not a JSON object. */
  readJsonObject(name: string): Promise<Record<string, unknown> | null>;
}

const MAX_MANIFEST_BYTES = 1024 * 1024;

export async function openProjectDir(root: string): Promise<ProjectDir> {
  const names = new Set(await readdir(root).catch(() => [] as string[]));
  const cache = new Map<string, Promise<string | null>>();
  const read = (name: string) => {
    let text = cache.get(name);
    if (!text) {
      text = names.has(name)
        ? readFile(join(root, name), 'utf8').then(
            (t) => (t.length > MAX_MANIFEST_BYTES ? t.slice(0, MAX_MANIFEST_BYTES) : t),
            () => null,
          )
        : Promise.resolve(null);
      cache.set(name, text);
    }
    return text;
  };
  return {
    root,
    names,
    has: (name) => names.has(name),
    read,
    async readJsonObject(name) {
      const text = await read(name);
      if (text === null) return null;
      try {
        const value: unknown = JSON.parse(text);
        return typeof value === 'object' && value !== null && !Array.isArray(value)
          ? (value as Record<string, unknown>)
          : null;
      } catch {
        return null;
      }
    },
  };
}

/** The first of `candidates` present in the directory. */
export function firstPresent(dir: ProjectDir, candidates: readonly string[]): string | undefined {
  return candidates.find((name) => dir.has(name));
}

/** The string-valued entries of `object[key]` (package.json `scripts`, composer `scripts`). */
export function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
