import { ENGINEER_SENDS, type EngineerMessageType, parseClientPayload } from '@codevf/protocol';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { firstIssue } from '../http/validate';
import { handleMessage } from '../live/messageHandlers';
import { aiSender } from './aiUser';

/** What the AI may send: an engineer's messages, less the ones that need a person (screenshare, ending). */
export type AiMessageType = Extract<EngineerMessageType, 'engineer_message' | 'request_command' | 'request_file'>;

export type ActResult = { ok: true; seq: number | null } | { ok: false; error: string };

/**
 * Sends one message as the AI, through the same gate as an engineer's socket: the role's
 * allowed types, the protocol schema, then `handleMessage` with its rules under the task lock.
 * A refusal (E_VALIDATION, E_CONFLICT, E_LIMIT_REACHED…) comes back as text for the model;
 * anything else (the database failing) is thrown.
 */
export async function actAsAi(
  ctx: AppContext,
  taskId: string,
  type: AiMessageType,
  payload: unknown,
): Promise<ActResult> {
  if (!(ENGINEER_SENDS as readonly string[]).includes(type))
    return { ok: false, error: `An engineer may not send ${type}.` };
  const parsed = parseClientPayload(type, payload);
  if (!parsed.success) return { ok: false, error: `${type}: ${firstIssue(parsed.error, '(payload)')}` };
  try {
    const result = await handleMessage(ctx, aiSender(taskId), type, parsed.data, undefined);
    if (result.error) return { ok: false, error: `${result.error.code}: ${result.error.message}` };
    return { ok: true, seq: result.seq };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: `${err.code}: ${err.message}` };
    throw err;
  }
}
