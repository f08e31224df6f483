import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BRANCH_MODES, PROJECT_TYPES } from '@codevf/protocol/constants';
import { z } from 'zod';
import { CodevfError } from '../core/errors';
import { writeFileAtomic } from '../core/writeFileAtomic';

/** Folder CodeVF keeps in a project (docs/PROTOCOL.md §4): config.json, last_sync.json, cache/. */
export const PROJECT_DIR = '.codevf';
export const CONFIG_VERSION = '1';

/**
 * `.codevf/config.json` (spec §3). `name` and `type` are ours on top of the spec's fields and
 * optional, so a hand-written file in the spec's shape still loads. Unknown keys are kept, so
 * rewriting the file never drops something a newer CLI or the user put there.
 */
export const ProjectConfig = z
  .object({
    version: z.literal(CONFIG_VERSION),
    projectId: z.string().min(1).max(200),
    name: z.string().min(1).max(200).optional(),
    type: z.enum(PROJECT_TYPES).optional(),
    allowedTools: z.array(z.string().max(50)).max(20),
    testCommand: z.string().max(1000),
    buildCommand: z.string().max(1000),
    repoUploaded: z.boolean(),
    branchMode: z.enum(BRANCH_MODES),
    createdAt: z.string(),
    updatedAt: z.string().optional(),
    /** Live sessions (`codevf fix`): kill an approved command after this long (default 600). */
    commandTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600)
      .optional(),
    /** Live sessions: stop forwarding a command's output after this many bytes (default 1 MiB). */
    maxOutputBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .optional(),
    /** Live sessions: refuse requested files larger than this (default 1 MiB). */
    maxFileBytes: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024)
      .optional(),
  })
  .passthrough();
export type ProjectConfig = z.infer<typeof ProjectConfig>;

/** `.codevf/last_sync.json`: what the last successful `codevf sync` sent. */
export const LastSync = z
  .object({
    version: z.literal(CONFIG_VERSION),
    projectId: z.string().min(1),
    syncId: z.string().min(1),
    branch: z.string().min(1),
    commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
    remoteUrl: z.string().nullable(),
    dirty: z.boolean(),
    forced: z.boolean(),
    bundle: z.object({ bundleId: z.string(), bytes: z.number().int(), sha256: z.string() }).nullable(),
    syncedAt: z.string(),
  })
  .passthrough();
export type LastSync = z.infer<typeof LastSync>;

export const configPath = (root: string) => join(root, PROJECT_DIR, 'config.json');
export const lastSyncPath = (root: string) => join(root, PROJECT_DIR, 'last_sync.json');

const errno = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

/**
 * The nearest directory at or above `start` that holds `.codevf/config.json`, like git finds
 * its repository; null when there is none up to the file-system root.
 */
export async function findProjectRoot(start: string): Promise<string | null> {
  let dir = resolve(start);
  for (;;) {
    try {
      if ((await stat(configPath(dir))).isFile()) return dir;
    } catch (err) {
      if (errno(err) !== 'ENOENT' && errno(err) !== 'ENOTDIR') throw err;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Reads and validates a CodeVF JSON file; null when it does not exist, E_CONFIG_INVALID when it is not ours. */
async function readJsonFile<T>(path: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    throw new CodevfError('E_CONFIG_INVALID', `Cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CodevfError('E_CONFIG_INVALID', `${path} is not valid JSON (${(err as Error).message}).`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodevfError('E_CONFIG_INVALID', `${path} is not a CodeVF file: it does not hold a JSON object.`);
  }
  const version = (value as { version?: unknown }).version;
  if (version === undefined) {
    throw new CodevfError('E_CONFIG_INVALID', `${path} is not a CodeVF file: it has no "version" field.`);
  }
  if (version !== CONFIG_VERSION) {
    throw new CodevfError(
      'E_CONFIG_INVALID',
      `${path} has version ${JSON.stringify(version)}; this CodeVF CLI understands version "${CONFIG_VERSION}".`,
      { hint: 'Update the CodeVF CLI, or delete the file and run: codevf init' },
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new CodevfError('E_CONFIG_INVALID', `${path} is invalid: ${problems}.`);
  }
  return parsed.data;
}

export function readProjectConfig(root: string): Promise<ProjectConfig | null> {
  return readJsonFile(configPath(root), ProjectConfig);
}

export async function writeProjectConfig(root: string, config: ProjectConfig): Promise<void> {
  // Validate before writing so a bug can never leave a file the next run refuses to read.
  const valid = ProjectConfig.parse(config);
  await writeFileAtomic(configPath(root), `${JSON.stringify(valid, null, 2)}\n`);
}

export function readLastSync(root: string): Promise<LastSync | null> {
  return readJsonFile(lastSyncPath(root), LastSync);
}

export async function writeLastSync(root: string, lastSync: LastSync): Promise<void> {
  const valid = LastSync.parse(lastSync);
  await writeFileAtomic(lastSyncPath(root), `${JSON.stringify(valid, null, 2)}\n`);
}

export interface LoadedProject {
  root: string;
  config: ProjectConfig;
}

/** The project `cwd` belongs to, or E_NO_PROJECT with the spec's message (§9.3). */
export async function loadProject(cwd: string): Promise<LoadedProject> {
  const root = await findProjectRoot(cwd);
  const config = root ? await readProjectConfig(root) : null;
  if (!root || !config) {
    throw new CodevfError('E_NO_PROJECT', 'No CodeVF project found.\nPlease run: codevf init');
  }
  return { root, config };
}
