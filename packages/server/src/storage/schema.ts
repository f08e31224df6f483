import type { StoredRequestState, TaskDriver } from '@codevf/protocol';

/**
 * Table types for Kysely. One schema serves SQLite and PostgreSQL, so it sticks to portable
 * column types: text ids (random, url-safe), integers, and ISO-8601 text timestamps (which
 * sort correctly as text). Booleans are stored as 0/1 integers for the same reason.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  title: string | null;
  role: 'customer' | 'engineer' | 'admin';
  password_hash: string | null;
  disabled: number;
  credits: number;
  created_at: string;
}

/** Console sign-in sessions (cookie). `id` is the sha256 of the cookie value. */
export interface WebSessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

/** RFC 8628 device authorizations. `device_code_hash` is the sha256 of the device code. */
export interface DeviceCodesTable {
  id: string;
  device_code_hash: string;
  user_code: string;
  client_id: string;
  scope: string | null;
  status: 'pending' | 'approved' | 'denied' | 'used';
  user_id: string | null;
  interval_seconds: number;
  last_polled_at: string | null;
  ip: string;
  user_agent: string | null;
  created_at: string;
  expires_at: string;
}

/** One row per login (a device-code exchange); every token of that login belongs to it. */
export interface TokenFamiliesTable {
  id: string;
  user_id: string;
  client_id: string;
  created_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

/** Access and refresh tokens, stored only as sha256 hashes. */
export interface OAuthTokensTable {
  hash: string;
  family_id: string;
  kind: 'access' | 'refresh';
  expires_at: string;
  /** Refresh tokens: when it was rotated (used). A second use is reuse → family revoked. */
  used_at: string | null;
  created_at: string;
}

/** Fixed-window counters for rate limits, shared by all instances through the database. */
export interface RateLimitsTable {
  key: string;
  window_start: string;
  count: number;
}

export interface ProjectsTable {
  id: string;
  owner_id: string;
  name: string;
  type: string;
  test_command: string;
  build_command: string;
  allowed_tools: string; // JSON array
  branch_mode: string;
  repo_url: string | null;
  uploads_allowed: number;
  created_at: string;
  updated_at: string;
}

export interface SnapshotsTable {
  id: string;
  project_id: string;
  kind: 'snapshot' | 'bundle';
  bytes: number;
  sha256: string;
  blob_key: string;
  created_at: string;
}

export interface SyncsTable {
  id: string;
  project_id: string;
  branch: string;
  commit_sha: string;
  remote_url: string | null;
  dirty: number;
  bundle_id: string | null;
  created_at: string;
}

export interface TasksTable {
  id: string;
  customer_id: string;
  project_id: string | null;
  description: string;
  mode: 'human' | 'ai' | 'hybrid';
  status: 'queued' | 'active' | 'ended';
  engineer_id: string | null;
  created_at: string;
  claimed_at: string | null;
  ended_at: string | null;
  ended_by: 'customer' | 'engineer' | 'system' | null;
  end_reason: string | null;
  max_credits: number | null;
  credits_used: number;
  rating: number | null;
  feedback: string | null;
  /** Highest persisted event seq; bumped inside the transaction that appends an event. */
  last_seq: number;
  /** Hash of the event with seq = last_seq (audit chain head). */
  head_hash: string | null;
  /** Minutes an engineer has been connected while active (the billing clock). */
  billed_minutes: number;
  /** Why the task is human-only although AI was asked for or would have been the default. */
  mode_note: string | null;
  /** The AI's hand-over (the `handoff` event's reason and summary, and when). */
  handoff_reason: 'ai_decided' | 'customer_asked' | 'model_failed' | 'budget_exhausted' | 'engineer_took_over' | null;
  handoff_summary: string | null;
  handoff_at: string | null;
  /** Who drives the task on the customer's side (migration 006). */
  driver: ColumnType<TaskDriver, TaskDriver | undefined, TaskDriver>;
  /** The engineer's resolution note, written when they ended the session. */
  resolution: string | null;
}

/** The transcript: persisted WebSocket events, in seq order per task, hash-chained. */
export interface TaskEventsTable {
  task_id: string;
  seq: number;
  type: string;
  payload: string; // JSON
  sender_id: string | null;
  /** The client's message `id`, for idempotent re-sends. */
  client_msg_id: string | null;
  created_at: string;
  hash: string;
}

/**
 * Per task, the highest seq whose chain a read verified from seq 1, and the hash it computed
 * there: later reads verify from here instead of from the start (audit/transcript.ts).
 */
export interface TranscriptCheckpointsTable {
  task_id: string;
  seq: number;
  hash: string;
  verified_at: string;
}

/** Engineer requests (command / file); their states and transitions are the protocol's request lifecycle. */
export interface TaskRequestsTable {
  id: string;
  task_id: string;
  kind: 'command' | 'file';
  subject: string; // command text or path
  state: StoredRequestState;
  scope: 'once' | 'session' | null;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
}

/** Per task, participant and server instance: how many of the participant's sockets that instance holds. */
export interface TaskPresenceTable {
  task_id: string;
  role: 'customer' | 'engineer';
  instance_id: string;
  sockets: number;
  /** Refreshed by its instance; a row not refreshed for a while belongs to a dead instance. */
  seen_at: string;
}

/**
 * Per AI-led task: the lease that lets one instance drive its model (the instance and until
 * when; another instance takes over once it lapses), the budget used, and when the AI left.
 */
export interface TaskAiTable {
  task_id: string;
  lease_instance: string | null;
  lease_expires_at: string | null;
  model_calls: number;
  tokens: number;
  /** Consecutive failed model turns (errors, timeouts, malformed tool calls); reset by a good one. */
  failures: number;
  started_at: string;
  ended_at: string | null;
}

/** Engineers guiding an AI-led task ("vibe mode"), without taking it over. */
export interface TaskGuidesTable {
  task_id: string;
  engineer_id: string;
  joined_at: string;
}

/** A server instance's heartbeat (live/instanceHeartbeat.ts). */
export interface ServerInstancesTable {
  id: string;
  started_at: string;
  /** Refreshed every few seconds while the instance runs. */
  seen_at: string;
  /** Set once another instance found it dead: when it was last known alive. */
  lost_at: string | null;
}

/** Per account and server instance: how many live sockets that instance holds (the per-user cap). */
export interface UserSocketsTable {
  user_id: string;
  instance_id: string;
  sockets: number;
}

export interface CreditLedgerTable {
  id: string;
  user_id: string;
  task_id: string | null;
  /** Minute index within the task; unique with task_id so a minute is never charged twice. */
  minute_index: number | null;
  amount: number;
  kind: 'grant' | 'charge';
  /** For a charge: whose minute it billed (a free AI minute is a charge of 0). */
  help: 'human' | 'ai' | null;
  note: string | null;
  created_at: string;
}

export interface Database {
  users: UsersTable;
  web_sessions: WebSessionsTable;
  device_codes: DeviceCodesTable;
  token_families: TokenFamiliesTable;
  oauth_tokens: OAuthTokensTable;
  rate_limits: RateLimitsTable;
  projects: ProjectsTable;
  snapshots: SnapshotsTable;
  syncs: SyncsTable;
  tasks: TasksTable;
  task_events: TaskEventsTable;
  transcript_checkpoints: TranscriptCheckpointsTable;
  task_requests: TaskRequestsTable;
  task_presence: TaskPresenceTable;
  task_ai: TaskAiTable;
  task_guides: TaskGuidesTable;
  server_instances: ServerInstancesTable;
  user_sockets: UserSocketsTable;
  credit_ledger: CreditLedgerTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type TaskRow = Selectable<TasksTable>;
/**
 * The columns of a task that the live relay's rules read: its state and the head of its event
 * chain. Reading the whole row per message made a dozen strings nothing looked at.
 */
export type TaskHead = Pick<TaskRow, 'id' | 'status' | 'last_seq' | 'head_hash'>;
export type ProjectRow = Selectable<ProjectsTable>;
export type TaskEventRow = Selectable<TaskEventsTable>;
export type { Generated };
