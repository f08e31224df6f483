import { z } from 'zod';
import { clientPayloads, RequestId, storedRequestPayloads } from './clientMessages';
import { MAX_CHAT_CHARS, MAX_REASON_CHARS } from './shared/limits';
import { PERSISTED_TYPES, type PersistedType } from './shared/messageTypes';

/**
 * Persisted events: what the transcript holds, in `seq` order, and what the server relays to
 * both participants (docs/PROTOCOL.md §3.5). Each schema's comment names who caused it. Events a
 * participant caused are stored as that participant sent them, except the two requests, which
 * the server completes with the request's id and expiry.
 */

const TaskStatusValue = z.enum(['queued', 'active', 'ended']);

/**
 * Why the AI left a task (the `handoff` event): it decided to (its hand-off tool), the customer
 * asked for a human, the model failed (unreachable, errors, timeouts, malformed tool calls
 * repeated, a loop), the task's AI budget ran out, or a guiding engineer took over.
 */
export const HandoffReason = z.enum([
  'ai_decided',
  'customer_asked',
  'model_failed',
  'budget_exhausted',
  'engineer_took_over',
]);
export type HandoffReason = z.infer<typeof HandoffReason>;
/** Which kind of help a participant or a billed minute is. */
export const HelpKind = z.enum(['human', 'ai']);
export type HelpKind = z.infer<typeof HelpKind>;

export const eventPayloads = {
  /** server: the task was queued, started or ended (with the queue position while queued). */
  task_status: z.object({
    status: TaskStatusValue,
    queuePosition: z.number().int().optional(),
    estimatedWaitSeconds: z.number().int().optional(),
  }),
  /** server: an engineer's socket joined (again after a disconnect: same id). */
  engineer_connected: z.object({
    engineer: z.object({ id: z.string(), name: z.string(), title: z.string().nullable() }),
    kind: z.enum(['human', 'ai']),
  }),
  /** server: the engineer's last socket closed. `lastSeenAt`: see customer_disconnected. */
  engineer_disconnected: z.object({ engineerId: z.string(), lastSeenAt: z.string().optional() }),
  /**
   * server: the customer's first socket (on any instance) joined, or joined again; `via: "agent"`
   * when the customer is present through their coding agent's calls (an agent-driven task).
   */
  customer_connected: z.object({ customerId: z.string(), via: z.literal('agent').optional() }),
  /**
   * server: the customer's last socket (on every instance) closed; billing pauses after the grace.
   * `lastSeenAt` is set when the departure was noticed late — the server instance holding the
   * socket stopped — and says when it was last known alive: the departure counts from then.
   */
  customer_disconnected: z.object({ customerId: z.string(), lastSeenAt: z.string().optional() }),
  /** engineer: a chat line, as sent. */
  engineer_message: clientPayloads.engineer_message,
  /** customer: a chat line, as sent. */
  customer_message: clientPayloads.customer_message,
  /** engineer: a command request, with the server's `requestId` and `expiresAt`. */
  request_command: storedRequestPayloads.request_command.extend({ requestId: RequestId, expiresAt: z.string() }),
  /** customer: the decision on a command request, as sent. */
  approve_command: clientPayloads.approve_command,
  /** customer: a chunk of command output, as sent. */
  command_output: clientPayloads.command_output,
  /** customer: a command's result, as sent. */
  command_result: clientPayloads.command_result,
  /** engineer: a file request, with the server's `requestId` and `expiresAt`. */
  request_file: storedRequestPayloads.request_file.extend({ requestId: RequestId, expiresAt: z.string() }),
  /** customer: the decision on a file request, as sent. */
  approve_file: clientPayloads.approve_file,
  /** customer: a file's content, as sent. */
  file_upload: clientPayloads.file_upload,
  /** engineer: a screenshare link, as sent. */
  screenshare_request: storedRequestPayloads.screenshare_request,
  /** server: a request got no decision in time; counts as denied. */
  request_expired: z.object({ requestId: RequestId }),
  /**
   * server: the session's running cost, once a minute; `warning` once under 5 minutes of
   * balance. `help` says whose minute was billed (a human engineer's or the AI's) and
   * `ratePerMinute` what it cost; for AI minutes, `freeMinutesLeft` is the customer's free AI
   * allowance left today (a free minute has `ratePerMinute: 0`).
   */
  billing_update: z.object({
    creditsUsed: z.number().int(),
    balance: z.number().int(),
    ratePerMinute: z.number().int(),
    minutes: z.number().int(),
    warning: z.literal('low_balance').optional(),
    help: HelpKind.optional(),
    freeMinutesLeft: z.number().int().min(0).optional(),
  }),
  /** server: the session ended (by either participant, or by the system). */
  session_end: z.object({
    endedBy: z.enum(['customer', 'engineer', 'system']),
    reason: z.string(),
    /** The engineer's resolution note, when they ended the session with one. */
    resolution: z.string().optional(),
    summary: z.object({
      engineer: z.string().nullable(),
      /** From the claim to the end (sessionDuration). */
      durationSeconds: z.number().int(),
      /** Minutes charged (the billing rule, docs/PROTOCOL.md §3.5); creditsUsed = billedMinutes × rate. */
      billedMinutes: z.number().int().optional(),
      creditsUsed: z.number().int(),
    }),
  }),
  /**
   * server: the AI left the task for a human. `summary` is the AI's own (its hand-off tool) or,
   * when the model could not write one, the server's from the transcript. Unless a guiding
   * engineer took over (`engineer_took_over`: they are the engineer from here on), the task goes
   * back to the queue marked as a hand-off; a `task_status` with the queue position follows.
   */
  handoff: z.object({
    from: z.literal('ai'),
    reason: HandoffReason,
    summary: z.string().max(MAX_CHAT_CHARS),
    /** What went wrong (`model_failed`, `budget_exhausted`; never a secret), or what the customer said asking for a human. */
    detail: z.string().max(MAX_REASON_CHARS).optional(),
  }),
  /**
   * guide: an engineer guiding an AI-led task ("vibe mode") wrote to the AI; the customer sees
   * it and the model reads it as instructions. The server adds who the guide is.
   */
  guide_message: clientPayloads.guide_message.extend({
    guide: z.object({ id: z.string(), name: z.string() }),
  }),
} as const satisfies Record<PersistedType, z.ZodTypeAny>;

export type EventPayload<T extends PersistedType> = z.infer<(typeof eventPayloads)[T]>;

/** A persisted event as a client folds it: a union discriminated on `type`, with its `seq`. */
export type PersistedEvent<T extends PersistedType = PersistedType> = {
  [K in T]: { type: K; seq: number; timestamp: string; payload: EventPayload<K>; id?: string };
}[T];

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
  chain: z.object({
    verified: z.boolean(),
    brokenAtSeq: z.number().int().nullable(),
    headHash: z.string().nullable(),
  }),
  /** The `after` of the next page (this page's last seq); `hasMore` when events remain past it. */
  nextAfter: z.number().int(),
  hasMore: z.boolean(),
});
export type EventsResponse = z.infer<typeof EventsResponse>;
