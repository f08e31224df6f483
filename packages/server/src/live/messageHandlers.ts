import {
  type ClientMessageType,
  type ClientPayload,
  checkScreenshareUrl,
  screenshareUrlProblem,
} from '@codevf/protocol';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { isLoopbackServer } from '../http/publicUrl';
import { checkPendingRequests, checkQueuedTranscript } from '../tasks/caps';
import type { StoredEvent } from '../tasks/eventLog';
import { handOff } from '../tasks/handoff';
import { decideRequest, openRequest, useRequest } from '../tasks/requests';
import { defaultEndReason, endResolution, endTask } from '../tasks/taskService';
import { type TaskHead, type TaskTx, withTaskLock } from '../tasks/taskTransaction';
import { SENDS, type Sender } from './sender';

export type { Sender };

export interface HandleResult {
  /** Seq of the event the message became (for the ack); null when it stored nothing. */
  seq: number | null;
  /** An error to report after committing (a decision that arrived after the expiry). */
  error?: ApiError;
}

/** Handled in the table below; `end_session` and `request_human` take their own task lock (taskService, handoff). */
type Persisted = Exclude<ClientMessageType, 'hello' | 'end_session' | 'request_human'>;

interface Message<T extends Persisted> {
  sender: Sender;
  payload: ClientPayload<T>;
  id: string | undefined;
  config: AppContext['config'];
}
type Handler<T extends Persisted> = (
  tx: TaskTx<TaskHead>,
  m: Message<T>,
) => Promise<{ event?: StoredEvent; error?: ApiError }>;

function requireActive(tx: TaskTx<TaskHead>): void {
  if (tx.task.status === 'ended') throw new ApiError('E_CONFLICT', 'The session has ended.');
  if (tx.task.status !== 'active') throw new ApiError('E_CONFLICT', 'The session has not started yet (no engineer).');
}

const from = (m: Message<Persisted>) => ({ senderId: m.sender.user.id, clientMsgId: m.id ?? null });

/**
 * The rules of every message type, applied under the task lock so that they see the state
 * every other instance sees. Who may send which type is checked before this
 * (CLIENT_MESSAGE_SENDERS); payload shapes and sizes by the protocol schemas.
 */
const handlers: { [T in Persisted]: Handler<T> } = {
  async customer_message(tx, m) {
    // The customer may write while waiting in the queue; the engineer reads it on joining.
    if (tx.task.status === 'ended') throw new ApiError('E_CONFLICT', 'The session has ended.');
    if (tx.task.status === 'queued') await checkQueuedTranscript(tx, m.payload, m.config.maxQueuedTranscriptBytes);
    return { event: await tx.append('customer_message', m.payload, from(m)) };
  },
  async engineer_message(tx, m) {
    requireActive(tx);
    return { event: await tx.append('engineer_message', m.payload, from(m)) };
  },
  async request_command(tx, m) {
    requireActive(tx);
    const { command, reason, cwd, timeoutSeconds } = m.payload;
    await checkPendingRequests(tx, m.config.maxPendingRequestsPerTask);
    // requestId and expiresAt are the server's, whatever the client sent.
    const { requestId, expiresAt } = await openRequest(tx, 'command', command, m.config.requestTtlSeconds);
    const where = {
      ...(cwd !== undefined ? { cwd } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    };
    return {
      event: await tx.append('request_command', { requestId, command, reason, ...where, expiresAt }, from(m)),
    };
  },
  async request_file(tx, m) {
    requireActive(tx);
    const { path, reason } = m.payload;
    await checkPendingRequests(tx, m.config.maxPendingRequestsPerTask);
    const { requestId, expiresAt } = await openRequest(tx, 'file', path, m.config.requestTtlSeconds);
    return { event: await tx.append('request_file', { requestId, path, reason, expiresAt }, from(m)) };
  },
  async screenshare_request(tx, m) {
    requireActive(tx);
    // The protocol's schema lets http: to a loopback host through; this server decides whether
    // it is a development setup where such a link makes sense.
    const link = checkScreenshareUrl(m.payload.url, { allowLoopbackHttp: isLoopbackServer(m.config) });
    if (!link.ok) throw new ApiError('E_VALIDATION', `screenshare_request: url: ${screenshareUrlProblem(link.reason)}`);
    return { event: await tx.append('screenshare_request', m.payload, from(m)) };
  },
  async approve_command(tx, m) {
    requireActive(tx);
    const outcome = await decideRequest(tx, m.payload.requestId, 'command', m.payload.approved, m.payload.scope);
    if (outcome.lateError) return { error: outcome.lateError };
    return { event: await tx.append('approve_command', m.payload, from(m)) };
  },
  async approve_file(tx, m) {
    requireActive(tx);
    const outcome = await decideRequest(tx, m.payload.requestId, 'file', m.payload.approved, undefined);
    if (outcome.lateError) return { error: outcome.lateError };
    return { event: await tx.append('approve_file', m.payload, from(m)) };
  },
  async command_output(tx, m) {
    requireActive(tx);
    await useRequest(tx, m.payload.requestId, 'command', 'use');
    return { event: await tx.append('command_output', m.payload, from(m)) };
  },
  async command_result(tx, m) {
    requireActive(tx);
    await useRequest(tx, m.payload.requestId, 'command', 'finish');
    return { event: await tx.append('command_result', m.payload, from(m)) };
  },
  async file_upload(tx, m) {
    requireActive(tx);
    await useRequest(tx, m.payload.requestId, 'file', 'finish', m.payload.path);
    return { event: await tx.append('file_upload', m.payload, from(m)) };
  },
  async guide_message(tx, m) {
    requireActive(tx);
    // Guides are listed only while the AI leads the task (a hand-over removes them).
    const guiding = await tx.trx
      .selectFrom('task_guides')
      .select('engineer_id')
      .where('task_id', '=', tx.task.id)
      .where('engineer_id', '=', m.sender.user.id)
      .executeTakeFirst();
    if (!guiding) throw new ApiError('E_CONFLICT', 'You are not guiding this task: the AI no longer leads it.');
    const guide = { id: m.sender.user.id, name: m.sender.user.name };
    return { event: await tx.append('guide_message', { ...m.payload, guide }, from(m)) };
  },
};

/** Applies one validated client message; throws ApiError for a broken rule (nothing stored). */
export async function handleMessage(
  ctx: AppContext,
  sender: Sender,
  type: Exclude<ClientMessageType, 'hello'>,
  payload: unknown,
  id: string | undefined,
): Promise<HandleResult> {
  if (!SENDS[sender.role].includes(type)) throw new ApiError('E_FORBIDDEN', `A ${sender.role} may not send ${type}.`);
  if (type === 'end_session') {
    // A guide cannot get here (SENDS); the narrowing is for the type checker.
    const endedBy = sender.role === 'customer' ? 'customer' : 'engineer';
    const end = payload as ClientPayload<'end_session'>;
    const reason = end.reason?.trim() || defaultEndReason(endedBy);
    const { seq } = await endTask(ctx, sender.taskId, endedBy, reason, id, endResolution(endedBy, end.resolution));
    return { seq };
  }
  if (type === 'request_human') {
    const asked = (payload as ClientPayload<'request_human'>).reason?.trim();
    const { event } = await handOff(ctx, sender.taskId, {
      reason: 'customer_asked',
      ...(asked ? { detail: `The customer said: ${asked}` } : {}),
      senderId: sender.user.id,
      clientMsgId: id,
    });
    return { seq: event.seq };
  }
  const handler = handlers[type] as Handler<Persisted>;
  const message: Message<Persisted> = {
    sender,
    payload: payload as ClientPayload<Persisted>,
    id,
    config: ctx.config,
  };
  const change = await withTaskLock(
    ctx,
    sender.taskId,
    ctx.clock.now(),
    async (tx) => {
      if (id) {
        // A re-send (reconnect, lost ack) is answered with the original ack before any rule is
        // applied again — the original may have changed the state the rules look at. This runs
        // after the lock is taken, as its own statement, so in PostgreSQL it sees a copy that a
        // racing instance committed while we waited: two copies still store once.
        const dup = await tx.findByClientId(id);
        if (dup) {
          if (dup.senderId !== sender.user.id)
            throw new ApiError('E_CONFLICT', 'This message id is already used in this task.');
          return { event: dup };
        }
      }
      return handler(tx, message);
    },
    'head',
  );
  return { seq: change.value.event?.seq ?? null, error: change.value.error };
}
