import { z } from 'zod';
import { BRANCH_MODES, PROJECT_TYPES, TASK_MODES } from './constants';
import { EndSession } from './controlFrames';
import { ERROR_CODE_NAMES, type ErrorCode } from './errors';
import { HandoffReason, HelpKind } from './serverEvents';

/** RFC 9457 problem details with our stable `code` (docs/PROTOCOL.md §2). */
export const ProblemDetails = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.enum(ERROR_CODE_NAMES as [ErrorCode, ...ErrorCode[]]),
  /** Field-level problems of an E_VALIDATION answer. */
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ProblemDetails = z.infer<typeof ProblemDetails>;

export const Role = z.enum(['customer', 'engineer', 'admin']);
export type Role = z.infer<typeof Role>;

export const Email = z.string().trim().toLowerCase().email().max(254);
/** Passwords: at least 8 characters; capped so hashing cannot be used to burn CPU. */
export const Password = z.string().min(8).max(256);

/** `GET /v1/me`. */
export const Me = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  credits: z.number().int(),
  title: z.string().nullable().optional(),
});
export type Me = z.infer<typeof Me>;

/** `POST /v1/auth/session`. */
export const SignInBody = z.object({ email: Email, password: z.string().min(1).max(256) });
/** `POST /v1/auth/signup`. */
export const SignUpBody = z.object({ email: Email, password: Password, name: z.string().trim().min(1).max(100) });
/** `POST /v1/auth/password` (console session only): the current password proves it is the owner. */
export const ChangePasswordBody = z.object({ currentPassword: z.string().min(1).max(256), newPassword: Password });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;
/** Answer of `POST /v1/auth/password`: how many other console sessions were signed out. */
export const PasswordChanged = z.object({ otherSessionsEnded: z.number().int() });
export type PasswordChanged = z.infer<typeof PasswordChanged>;
/** Answer of sign-in / sign-up: the user plus the CSRF token the console must echo in `x-csrf-token`. */
export const SessionInfo = z.object({ user: Me, csrfToken: z.string() });
export type SessionInfo = z.infer<typeof SessionInfo>;

/** `GET /v1/device?user_code=` — what the console shows before the user approves. */
export const DeviceInfo = z.object({
  userCode: z.string(),
  clientId: z.string(),
  clientName: z.string(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  ip: z.string(),
  userAgent: z.string().nullable(),
  status: z.enum(['pending', 'approved', 'denied', 'expired']),
});
export type DeviceInfo = z.infer<typeof DeviceInfo>;
export const DeviceDecisionBody = z.object({ user_code: z.string().min(1).max(20) });

// ---- projects ---------------------------------------------------------------------------

export const ProjectType = z.enum(PROJECT_TYPES);
export type ProjectType = z.infer<typeof ProjectType>;
export const BranchMode = z.enum(BRANCH_MODES);

/**
 * Projects (docs/PROTOCOL.md §2). Where the contract is silent, these are the decisions:
 * - `PUT /v1/projects/:id` (owner) replaces a project's settings with a full `ProjectBody` and
 *   answers the `Project`. `codevf init` run again in an initialised project uses it, so one
 *   folder never registers two projects.
 * - `GET /v1/projects` answers `ProjectList`, most recently updated first.
 * - Uploads are raw bodies: `PUT …/snapshot` a tar.gz (`application/gzip`), `PUT …/bundle` a git
 *   bundle (`application/octet-stream`). The client sends the body's sha256 (hex) in
 *   `x-content-sha256` (CONTENT_SHA256_HEADER); a mismatch is E_VALIDATION and nothing is kept,
 *   over the server's upload limit is E_TOO_LARGE, and a project whose owner did not opt in
 *   (`uploadsAllowed: false`) refuses both with E_FORBIDDEN. Both answer `SnapshotResult`.
 * - `GET …/snapshot` and `GET …/bundle` stream the latest upload (with `x-content-sha256`) to the
 *   owner and to an engineer who has claimed a still-active task of the project; anyone else
 *   gets E_NOT_FOUND, as if the project did not exist.
 * - A sync with a bundle uploads the bundle first, then sends `POST …/sync` with its `bundleId`.
 */
export const ProjectBody = z.object({
  name: z.string().trim().min(1).max(200),
  type: ProjectType,
  testCommand: z.string().max(1000).default(''),
  buildCommand: z.string().max(1000).default(''),
  allowedTools: z.array(z.string().max(50)).max(20).default([]),
  branchMode: BranchMode.default('codevf'),
  repoUrl: z.string().max(2000).optional(),
  /** Whether the customer opted in to snapshot and bundle uploads. */
  uploadsAllowed: z.boolean().default(false),
});
export type ProjectBody = z.infer<typeof ProjectBody>;

export const Project = ProjectBody.extend({
  id: z.string(),
  ownerId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastSnapshot: z
    .object({ snapshotId: z.string(), bytes: z.number(), sha256: z.string(), createdAt: z.string() })
    .nullable(),
  lastSync: z
    .object({
      branch: z.string(),
      commit: z.string(),
      remoteUrl: z.string().nullable(),
      dirty: z.boolean(),
      syncedAt: z.string(),
      hasBundle: z.boolean(),
    })
    .nullable(),
});
export type Project = z.infer<typeof Project>;

export const SnapshotResult = z.object({ snapshotId: z.string(), bytes: z.number().int(), sha256: z.string() });
export type SnapshotResult = z.infer<typeof SnapshotResult>;

/**
 * The latest snapshot as the session's project panel reads it (`GET …/snapshot/files` and
 * `GET …/snapshot/file?path=`): the owner, or the engineer of an active task of the project.
 * Paths, link targets and text are the customer's and untrusted.
 */
export const SnapshotEntry = z.object({
  path: z.string(),
  type: z.enum(['file', 'symlink']),
  size: z.number().int(),
  /** Symbolic links only: the link's target text (stored, never followed). */
  linkTarget: z.string().optional(),
});
export type SnapshotEntry = z.infer<typeof SnapshotEntry>;
export const SnapshotListing = z.object({
  snapshotId: z.string(),
  createdAt: z.string(),
  entries: z.array(SnapshotEntry),
  /** More entries than the server lists (20,000). */
  truncated: z.boolean(),
});
export type SnapshotListing = z.infer<typeof SnapshotListing>;
export const SnapshotFileView = z.object({
  snapshotId: z.string(),
  path: z.string(),
  size: z.number().int(),
  /** UTF-8 text, cut at 512 KiB; absent for a binary file (a NUL byte in its first 8,000). */
  text: z.string().optional(),
  binary: z.boolean(),
  truncated: z.boolean(),
});
export type SnapshotFileView = z.infer<typeof SnapshotFileView>;

export const SyncBody = z.object({
  branch: z.string().min(1).max(255),
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  remoteUrl: z.string().max(2000).optional(),
  dirty: z.boolean(),
  /** A bundle uploaded just before with `PUT …/bundle` (its `snapshotId`), when the project opted in. */
  bundleId: z.string().min(1).max(64).optional(),
});
export type SyncBody = z.infer<typeof SyncBody>;

/** Answer of `POST /v1/projects/:id/sync`. */
export const SyncResult = z.object({
  syncId: z.string(),
  projectId: z.string(),
  branch: z.string(),
  commit: z.string(),
  remoteUrl: z.string().nullable(),
  dirty: z.boolean(),
  bundleId: z.string().nullable(),
  syncedAt: z.string(),
});
export type SyncResult = z.infer<typeof SyncResult>;

/** Answer of `GET /v1/projects`. */
export const ProjectList = z.object({ projects: z.array(Project) });
export type ProjectList = z.infer<typeof ProjectList>;

// ---- tasks ------------------------------------------------------------------------------

export const TaskMode = z.enum(TASK_MODES);
export const TaskStatus = z.enum(['queued', 'active', 'ended']);
export type TaskStatus = z.infer<typeof TaskStatus>;
export const EndedBy = z.enum(['customer', 'engineer', 'system']);
/**
 * Who drives a task on the customer's side: `terminal` (the CLI's live session, where the
 * customer approves each request) or `agent` (a coding agent through the REST verbs or MCP:
 * an engineer's request goes to the agent, which carries it out with its own tools under its
 * user's permission prompts, or declines it).
 */
export const TaskDriver = z.enum(['terminal', 'agent']);
export type TaskDriver = z.infer<typeof TaskDriver>;

export const CreateTaskBody = z.object({
  description: z.string().trim().min(1).max(10_000),
  projectId: z.string().optional(),
  /**
   * Who helps: `human` (the queue), `ai` (the AI alone; the customer may still ask for a human,
   * which makes the task `hybrid`) or `hybrid` (the AI at once, a human when needed). Omitted:
   * `hybrid` when the server offers AI and the project allows its vendor, otherwise `human`.
   * `ai`/`hybrid` without an AI on the server is E_AI_UNAVAILABLE; with a project that does not
   * allow the server's AI vendor, E_AI_NOT_ALLOWED.
   */
  mode: TaskMode.optional(),
  maxCredits: z.number().int().positive().optional(),
  /** Who drives the task (default `terminal`). */
  driver: TaskDriver.optional(),
});
export type CreateTaskBody = z.infer<typeof CreateTaskBody>;

export const Task = z.object({
  id: z.string(),
  description: z.string(),
  mode: TaskMode,
  /** Why the task is human-only although AI was asked for or would be the default (null otherwise). */
  modeNote: z.string().nullable().optional(),
  /** Set once the AI handed the task over: why, its summary and when. */
  handoff: z.object({ reason: HandoffReason, summary: z.string(), at: z.string() }).nullable().optional(),
  /** Whether the AI leads the task now (its engineer is the AI). */
  aiLed: z.boolean().optional(),
  status: TaskStatus,
  /** Who drives the task on the customer's side (`terminal` when the server predates it). */
  driver: TaskDriver.optional(),
  customerId: z.string(),
  customerName: z.string().optional(),
  projectId: z.string().nullable(),
  projectType: ProjectType.nullable().optional(),
  engineer: z.object({ id: z.string(), name: z.string(), title: z.string().nullable() }).nullable(),
  createdAt: z.string(),
  claimedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endedBy: EndedBy.nullable(),
  endReason: z.string().nullable(),
  /** The engineer's resolution note, written when they ended the session (null: none). */
  resolution: z.string().nullable().optional(),
  maxCredits: z.number().int().nullable(),
  creditsUsed: z.number().int(),
  /** From the claim to the end (or to now while active); null before the claim. As session_end's summary. */
  durationSeconds: z.number().int().nullable().optional(),
  /** Minutes charged so far (the billing rule, docs/PROTOCOL.md §3.5). */
  billedMinutes: z.number().int().optional(),
  rating: z.number().int().nullable(),
  feedback: z.string().nullable().optional(),
  queuePosition: z.number().int().optional(),
  estimatedWaitSeconds: z.number().int().optional(),
  creditsRemaining: z.number().int().optional(),
});
export type Task = z.infer<typeof Task>;

/** POST /v1/tasks/:id/end: as the `end_session` message (its `resolution` is the engineer's only). */
export const EndTaskBody = EndSession;
export const RatingBody = z.object({
  rating: z.number().int().min(1).max(5),
  feedback: z.string().max(2000).optional(),
});

export const CreditsView = z.object({
  balance: z.number().int(),
  ledger: z.array(
    z.object({
      id: z.string(),
      amount: z.number().int(),
      kind: z.enum(['grant', 'charge']),
      /** For a charge: whose minute it was (a free AI minute is a charge of 0). */
      help: HelpKind.nullable().optional(),
      taskId: z.string().nullable(),
      minuteIndex: z.number().int().nullable(),
      note: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
});
export type CreditsView = z.infer<typeof CreditsView>;

// ---- AI ---------------------------------------------------------------------------------

/**
 * `GET /v1/ai` (any signed-in user): whether this server offers an AI participant, and on what
 * terms. Never carries the provider's address or key.
 */
export const AiInfo = z.object({
  available: z.boolean(),
  /** Display name of the AI participant and its model (null when unavailable). */
  name: z.string().nullable(),
  model: z.string().nullable(),
  /** Which of a project's allowed AI tools this model counts as. */
  vendor: z.enum(['claude', 'gemini', 'gpt', 'other']).nullable(),
  freeMinutesPerDay: z.number().int(),
  /** The caller's free AI minutes left today (customers; null for others). */
  freeMinutesLeft: z.number().int().nullable(),
  aiCreditsPerMinute: z.number().int(),
  humanCreditsPerMinute: z.number().int(),
});
export type AiInfo = z.infer<typeof AiInfo>;

/**
 * `GET /v1/ai/tasks` (engineers): active AI-led tasks, for engineers to pick ones to guide or
 * take over ("vibe mode"), with what shows an AI struggling.
 */
export const AiTaskList = z.object({
  tasks: z.array(
    Task.extend({
      /** Requests the customer denied or let expire. */
      deniedRequests: z.number().int(),
      /** Engineers guiding it now. */
      guides: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  ),
});
export type AiTaskList = z.infer<typeof AiTaskList>;
