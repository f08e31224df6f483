import { z } from 'zod';
import { ERROR_CODE_NAMES, type ErrorCode } from './errors';

/** RFC 9457 problem details with our stable `code` (PROTOCOL.md §2). */
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

export const ProjectType = z.enum([
  'node',
  'python',
  'go',
  'rust',
  'ruby',
  'java',
  'php',
  'dotnet',
  'elixir',
  'other',
]);
export type ProjectType = z.infer<typeof ProjectType>;
export const BranchMode = z.enum(['codevf', 'any']);

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
  lastSnapshot: z.object({ snapshotId: z.string(), bytes: z.number(), sha256: z.string(), createdAt: z.string() }).nullable(),
  lastSync: z
    .object({ branch: z.string(), commit: z.string(), remoteUrl: z.string().nullable(), dirty: z.boolean(), syncedAt: z.string(), hasBundle: z.boolean() })
    .nullable(),
});
export type Project = z.infer<typeof Project>;

export const SnapshotResult = z.object({ snapshotId: z.string(), bytes: z.number().int(), sha256: z.string() });
export type SnapshotResult = z.infer<typeof SnapshotResult>;

export const SyncBody = z.object({
  branch: z.string().min(1).max(255),
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  remoteUrl: z.string().max(2000).optional(),
  dirty: z.boolean(),
});
export type SyncBody = z.infer<typeof SyncBody>;

// ---- tasks ------------------------------------------------------------------------------

export const TaskMode = z.enum(['human', 'ai', 'hybrid']);
export const TaskStatus = z.enum(['queued', 'active', 'ended']);
export type TaskStatus = z.infer<typeof TaskStatus>;
export const EndedBy = z.enum(['customer', 'engineer', 'system']);

export const CreateTaskBody = z.object({
  description: z.string().trim().min(1).max(10_000),
  projectId: z.string().optional(),
  mode: TaskMode.default('human'),
  maxCredits: z.number().int().positive().optional(),
});
export type CreateTaskBody = z.infer<typeof CreateTaskBody>;

export const Task = z.object({
  id: z.string(),
  description: z.string(),
  mode: TaskMode,
  status: TaskStatus,
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
  maxCredits: z.number().int().nullable(),
  creditsUsed: z.number().int(),
  rating: z.number().int().nullable(),
  feedback: z.string().nullable().optional(),
  queuePosition: z.number().int().optional(),
  estimatedWaitSeconds: z.number().int().optional(),
  creditsRemaining: z.number().int().optional(),
});
export type Task = z.infer<typeof Task>;

export const EndTaskBody = z.object({ reason: z.string().max(500).optional() });
export const RatingBody = z.object({ rating: z.number().int().min(1).max(5), feedback: z.string().max(2000).optional() });

export const CreditsView = z.object({
  balance: z.number().int(),
  ledger: z.array(
    z.object({
      id: z.string(),
      amount: z.number().int(),
      kind: z.enum(['grant', 'charge']),
      taskId: z.string().nullable(),
      minuteIndex: z.number().int().nullable(),
      note: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
});
export type CreditsView = z.infer<typeof CreditsView>;
