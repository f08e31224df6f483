import { z } from 'zod';
import { Project, ProjectType } from './api';
import { ERROR_CODE_NAMES, type ErrorCode } from './errors';

/**
 * The CLI's `--json` envelope (docs/PROTOCOL.md §4): stdout holds exactly one of these documents.
 */
export const CliError = z.object({
  code: z.enum(ERROR_CODE_NAMES as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  hint: z.string().optional(),
});
export type CliError = z.infer<typeof CliError>;

export const cliSuccess = <T extends z.ZodTypeAny>(data: T) => z.object({ ok: z.literal(true), data });
export const CliFailure = z.object({ ok: z.literal(false), error: CliError });
export type CliEnvelope<T> = { ok: true; data: T } | { ok: false; error: CliError };

/** `codevf whoami --json` data. */
export const WhoamiData = z.object({
  loggedIn: z.boolean(),
  baseUrl: z.string().optional(),
  /** Where baseUrl came from: --base-url, CODEVF_API_URL, the last login's server, or the default. */
  baseUrlSource: z.enum(['flag', 'env', 'remembered', 'default']).optional(),
  user: z
    .object({ id: z.string(), email: z.string(), name: z.string(), role: z.string(), credits: z.number().optional() })
    .optional(),
  /** Whether the server confirmed the login just now (false when offline: local identity only). */
  verified: z.boolean().optional(),
  serverReachable: z.boolean().optional(),
  expiresAt: z.string().optional(),
});
export type WhoamiData = z.infer<typeof WhoamiData>;

/** `codevf logout --json` data. */
export const LogoutData = z.object({
  wasLoggedIn: z.boolean(),
  /** True when the server confirmed the revocation; false when it could not be told (offline). */
  revoked: z.boolean(),
});
export type LogoutData = z.infer<typeof LogoutData>;

/** `codevf login` result (printed in JSON only when --json is given). */
export const LoginData = z.object({
  loggedIn: z.literal(true),
  alreadyLoggedIn: z.boolean(),
  baseUrl: z.string(),
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.string() }),
});
export type LoginData = z.infer<typeof LoginData>;

/** `codevf init --json` data. */
export const InitData = z.object({
  projectId: z.string(),
  /** False when the folder was already set up and the existing project was updated. */
  created: z.boolean(),
  /** The project folder (where .codevf/ is). */
  root: z.string(),
  configPath: z.string(),
  project: Project,
  /** What the detectors recognised, the preferred one first. */
  detected: z.array(z.object({ type: ProjectType, tool: z.string(), label: z.string() })),
  snapshot: z
    .object({
      snapshotId: z.string(),
      bytes: z.number().int(),
      sha256: z.string(),
      files: z.number().int(),
      contentBytes: z.number().int(),
      excluded: z.object({
        total: z.number().int(),
        byReason: z.record(z.number().int()),
        sensitive: z.array(z.string()),
      }),
    })
    .nullable(),
  /** Whether `.codevf/cache/` should be (or was just) added to .gitignore. */
  gitignore: z.object({ line: z.string(), suggested: z.boolean(), updated: z.boolean() }),
});
export type InitData = z.infer<typeof InitData>;

/** `codevf sync --json` data (also what .codevf/last_sync.json records). */
export const SyncData = z.object({
  projectId: z.string(),
  syncId: z.string(),
  branch: z.string(),
  commit: z.string(),
  remoteUrl: z.string().nullable(),
  dirty: z.boolean(),
  /** --force was needed (uncommitted changes were present and are not in the sync). */
  forced: z.boolean(),
  bundle: z.object({ bundleId: z.string(), bytes: z.number().int(), sha256: z.string() }).nullable(),
  syncedAt: z.string(),
});
export type SyncData = z.infer<typeof SyncData>;
