import { z } from 'zod';
import { ERROR_CODE_NAMES, type ErrorCode } from './errors';
import { MESSAGE_ID } from './frame';

/**
 * Live-session WebSocket messages (PROTOCOL.md §3). Every frame is one JSON object:
 * `{type, timestamp, payload, seq?, id?}`. `seq` is set by the server on persisted events;
 * `id` is set by clients on every message they send and echoed in `ack {id, seq}`.
 *
 * Decisions recorded here where PROTOCOL.md is silent:
 * - Size limits: a frame is at most MAX_FRAME_BYTES; a chat text at most MAX_CHAT_CHARS; one
 *   `command_output` chunk at most MAX_OUTPUT_CHUNK_CHARS; file content at most MAX_FILE_CHARS.
 * - `id` is 1–64 characters of [A-Za-z0-9_-] (a UUID fits).
 * - The envelope (readFrame, frame.ts): `type` 1–64 characters, `timestamp` a string of at most
 *   64 (the server stamps its own), `payload` an object, `seq` a positive integer; other keys
 *   are ignored. A persisted event's `payload` goes out exactly as stored: its canonical JSON
 *   (keys sorted), the text its audit hash covers.
 * - `end_session` (client → server, either participant) ends the task like POST /v1/tasks/:id/end.
 * - `billing_update` also carries `warning: "low_balance"` once the balance drops under 5 minutes.
 * - `file_upload.size` and `.sha256` describe `content` exactly as sent (UTF-8 bytes, after
 *   redaction, BOM kept), so the engineer can verify what arrived; with nothing redacted they
 *   equal the file on disk. `path` is the real file's path relative to the project root.
 * - `approve_file {approved: false, refusedReason}`: the customer's side refused the file
 *   without asking (escape, binary, too large); the engineer sees the reason.
 * - Handshake: an upgrade that fails authentication, the Origin check or task access is refused
 *   before any socket opens, with the HTTP status and problem details of the code (401, 403,
 *   404). `welcome.lastSeq` is the task's highest seq (the server's head). A `hello` whose
 *   `lastSeq` is past the head is refused (E_VALIDATION) and may be retried; a second `hello`
 *   is E_CONFLICT; anything before `hello` is E_VALIDATION. A wrong `protocolVersion` gets
 *   `error {code: "E_PROTOCOL_VERSION"}` and the socket is closed with 1002.
 * - Every client message with an `id` gets exactly one answer: `ack {id, seq}` (seq of the
 *   persisted event it became; for `end_session`, of `session_end`) or `error {code, message,
 *   id}`. A persisted event relayed to the participants carries the `id` of the client message
 *   that caused it, so a sender can match its own echo. An `id` already used by the other
 *   participant of the task is E_CONFLICT.
 * - Rule codes: wrong role for the type → E_FORBIDDEN; unknown type or bad payload →
 *   E_VALIDATION; task not active (ended, or still queued — only `customer_message` is allowed
 *   while queued) → E_CONFLICT; unknown request → E_NOT_FOUND; output/result/upload for a
 *   request not approved → E_FORBIDDEN, for a completed one or a second decision →
 *   E_CONFLICT, for an expired one → E_REQUEST_EXPIRED; more than 256 messages awaiting
 *   processing on one socket → E_RATE_LIMITED.
 * - Frames over MAX_FRAME_BYTES are answered with E_TOO_LARGE and the socket stays open; frames
 *   over the server's hard cap (1 MiB) close it with 1009. A peer that lets more than 16 MiB
 *   pile up unread is closed with 1013 and resumes with `lastSeq`.
 * - Pending requests of a session that ends get `request_expired` before `session_end`.
 * - Billing: each started minute of an active session in which an engineer is connected costs
 *   the rate once (ledger rows are negative `charge`s, one per task and minute index); a minute
 *   the balance or `maxCredits` cannot pay ends the session with `endedBy: "system"`.
 */
export const MAX_FRAME_BYTES = 256 * 1024;
/**
 * A `file_upload` frame carries a whole file (content up to MAX_FILE_CHARS), so it may be larger
 * than other frames: room for 1 MiB of text even when JSON escaping grows it (newlines, quotes,
 * tabs) — files are UTF-8 text (binaries are refused), so 4 MiB is ample. Every other frame
 * keeps MAX_FRAME_BYTES. The server refuses with E_TOO_LARGE and keeps the socket open either way.
 */
export const MAX_FILE_FRAME_BYTES = 4 * 1024 * 1024;

/** The size limit of one frame of the given type (see MAX_FRAME_BYTES, MAX_FILE_FRAME_BYTES). */
export function maxFrameBytes(type: string | undefined): number {
  return type === 'file_upload' ? MAX_FILE_FRAME_BYTES : MAX_FRAME_BYTES;
}
export const MAX_CHAT_CHARS = 8_000;
export const MAX_OUTPUT_CHUNK_CHARS = 64 * 1024;
export const MAX_FILE_CHARS = 1024 * 1024 + 64 * 1024;
export const MAX_COMMAND_CHARS = 4_000;
export const MAX_PATH_CHARS = 4_096;

const text = z.string().min(1).max(MAX_CHAT_CHARS);
const reason = z.string().max(1_000).default('');
const requestId = z.string().min(1).max(64);
const messageId = z.string().regex(MESSAGE_ID);

// ---- payloads --------------------------------------------------------------------------

export const payloads = {
  // persisted, sent by the server
  task_status: z.object({
    status: z.enum(['queued', 'active', 'ended']),
    queuePosition: z.number().int().optional(),
    estimatedWaitSeconds: z.number().int().optional(),
  }),
  engineer_connected: z.object({
    engineer: z.object({ id: z.string(), name: z.string(), title: z.string().nullable() }),
    kind: z.enum(['human', 'ai']),
  }),
  engineer_disconnected: z.object({ engineerId: z.string() }),
  request_expired: z.object({ requestId }),
  billing_update: z.object({
    creditsUsed: z.number().int(),
    balance: z.number().int(),
    ratePerMinute: z.number().int(),
    minutes: z.number().int(),
    warning: z.literal('low_balance').optional(),
  }),
  session_end: z.object({
    endedBy: z.enum(['customer', 'engineer', 'system']),
    reason: z.string(),
    summary: z.object({
      engineer: z.string().nullable(),
      durationSeconds: z.number().int(),
      creditsUsed: z.number().int(),
    }),
  }),

  // persisted, sent by the engineer
  engineer_message: z.object({ text }),
  /** Engineer sends `{command, reason}`; the server fills `requestId` and `expiresAt`. */
  request_command: z.object({
    requestId: requestId.optional(),
    command: z.string().min(1).max(MAX_COMMAND_CHARS),
    reason,
    expiresAt: z.string().optional(),
  }),
  request_file: z.object({
    requestId: requestId.optional(),
    path: z.string().min(1).max(MAX_PATH_CHARS),
    reason,
    expiresAt: z.string().optional(),
  }),
  screenshare_request: z.object({ url: z.string().url().max(2_000) }),

  // persisted, sent by the customer
  customer_message: z.object({ text, redactions: z.number().int().min(0).optional() }),
  approve_command: z.object({ requestId, approved: z.boolean(), scope: z.enum(['once', 'session']).optional() }),
  command_output: z.object({
    requestId,
    stream: z.enum(['stdout', 'stderr']),
    data: z.string().max(MAX_OUTPUT_CHUNK_CHARS),
  }),
  command_result: z.object({
    requestId,
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable().optional(),
    durationMs: z.number().int().min(0),
    truncated: z.boolean(),
    redactions: z.number().int().min(0),
    /** The command hit the customer's time limit and its process group was killed. */
    timedOut: z.boolean().optional(),
    /** Set when the command could not be run at all (e.g. the project root is gone). */
    error: z.string().max(1_000).optional(),
  }),
  approve_file: z.object({
    requestId,
    approved: z.boolean(),
    /** Why the file was refused by the customer's side without asking (escape, binary, too large). */
    refusedReason: z.string().max(1_000).optional(),
  }),
  file_upload: z.object({
    requestId,
    path: z.string().max(MAX_PATH_CHARS),
    size: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    encoding: z.literal('utf8'),
    content: z.string().max(MAX_FILE_CHARS),
    redactions: z.number().int().min(0),
  }),

  // control frames (not persisted)
  hello: z.object({ protocolVersion: z.number().int(), lastSeq: z.number().int().min(0).default(0) }),
  welcome: z.object({
    taskId: z.string(),
    status: z.enum(['queued', 'active', 'ended']),
    role: z.enum(['customer', 'engineer']),
    lastSeq: z.number().int().min(0),
  }),
  ack: z.object({ id: messageId, seq: z.number().int().nullable() }),
  error: z.object({
    code: z.enum(ERROR_CODE_NAMES as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    id: z.string().optional(),
  }),
  end_session: z.object({ reason: z.string().max(500).optional() }),
} as const;

export type MessageType = keyof typeof payloads;
export type Payload<T extends MessageType> = z.infer<(typeof payloads)[T]>;

/** Persisted event types: everything in the transcript, in `seq` order. */
export const PERSISTED_TYPES = [
  'task_status',
  'engineer_connected',
  'engineer_disconnected',
  'engineer_message',
  'customer_message',
  'request_command',
  'approve_command',
  'command_output',
  'command_result',
  'request_file',
  'approve_file',
  'file_upload',
  'screenshare_request',
  'request_expired',
  'billing_update',
  'session_end',
] as const satisfies readonly MessageType[];
export type PersistedType = (typeof PERSISTED_TYPES)[number];

/** Who may send what (the server enforces it; clients use it to hide impossible actions). */
export const CUSTOMER_SENDS = [
  'hello',
  'customer_message',
  'approve_command',
  'command_output',
  'command_result',
  'approve_file',
  'file_upload',
  'end_session',
] as const satisfies readonly MessageType[];
export const ENGINEER_SENDS = [
  'hello',
  'engineer_message',
  'request_command',
  'request_file',
  'screenshare_request',
  'end_session',
] as const satisfies readonly MessageType[];
export type ClientMessageType = (typeof CUSTOMER_SENDS)[number] | (typeof ENGINEER_SENDS)[number];

export interface TypedFrame<T extends MessageType = MessageType> {
  type: T;
  timestamp: string;
  payload: Payload<T>;
  seq?: number;
  id?: string;
}

/** A persisted event as stored and replayed (also the rows of GET /v1/tasks/:id/events). */
export const SessionEvent = z.object({
  seq: z.number().int().positive(),
  type: z.enum(PERSISTED_TYPES),
  timestamp: z.string(),
  payload: z.record(z.unknown()),
  senderId: z.string().nullable(),
  hash: z.string(),
});
export type SessionEvent = z.infer<typeof SessionEvent>;

export const EventsResponse = z.object({
  events: z.array(SessionEvent),
  chain: z.object({ verified: z.boolean(), brokenAtSeq: z.number().int().nullable(), headHash: z.string().nullable() }),
  /** The `after` of the next page (this page's last seq); `hasMore` when events remain past it. */
  nextAfter: z.number().int(),
  hasMore: z.boolean(),
});
export type EventsResponse = z.infer<typeof EventsResponse>;

/** Parses a frame's payload for its type; returns the zod error on mismatch. */
export function parsePayload<T extends MessageType>(type: T, payload: unknown) {
  return (payloads[type] as z.ZodTypeAny).safeParse(payload) as z.SafeParseReturnType<unknown, Payload<T>>;
}

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(payloads, type);
}

/** Builds a frame with the current time. */
export function frame<T extends MessageType>(
  type: T,
  payload: Payload<T>,
  extra: { seq?: number; id?: string } = {},
): TypedFrame<T> {
  return { type, timestamp: new Date().toISOString(), payload, ...extra };
}
