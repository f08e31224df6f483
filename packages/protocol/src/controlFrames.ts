import { z } from 'zod';
import { ERROR_CODE_NAMES, type ErrorCode } from './errors';
import { MESSAGE_ID } from './frame';
import { MAX_RESOLUTION_CHARS } from './shared/limits';

/**
 * Control frames: the frames of the live session that are not stored in the transcript and
 * carry no `seq` (docs/PROTOCOL.md §3.3). Each schema's comment names its sender.
 */

/** either participant: opens the session on a new socket; `lastSeq` is what it already has. */
export const Hello = z.object({ protocolVersion: z.number().int(), lastSeq: z.number().int().min(0).default(0) });
/**
 * An engineer's resolution note: what was found and done, shown in the customer's summary and
 * in the task's history. Untrusted text for whoever reads it (rendered with visible markers).
 */
export const Resolution = z.string().max(MAX_RESOLUTION_CHARS);
/**
 * either participant: ends the task, like POST /v1/tasks/:id/end; acked with the seq of
 * `session_end`. `resolution` is the engineer's only (a customer sending one is E_FORBIDDEN).
 */
export const EndSession = z.object({ reason: z.string().max(500).optional(), resolution: Resolution.optional() });
/** server: answers `hello`; `lastSeq` is the task's highest seq (the server's head). */
export const Welcome = z.object({
  taskId: z.string(),
  status: z.enum(['queued', 'active', 'ended']),
  /** `guide`: an engineer steering an AI-led task without taking it over (reads all, sends guide_message). */
  role: z.enum(['customer', 'engineer', 'guide']),
  lastSeq: z.number().int().min(0),
});
/** server: the one answer to a client message with an `id` that was applied. */
export const Ack = z.object({ id: z.string().regex(MESSAGE_ID), seq: z.number().int().nullable() });
/** server: the one answer to a client message that broke a rule (`id` names it when it had one). */
export const ErrorFrame = z.object({
  code: z.enum(ERROR_CODE_NAMES as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  id: z.string().optional(),
});
