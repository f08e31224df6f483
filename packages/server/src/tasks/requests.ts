import { checkTransition, isPastExpiry } from '@codevf/protocol';
import { ApiError } from '../http/errors';
import { newId } from '../ids';
import type { TaskRequestsTable } from '../storage/schema';
import type { TaskHead, TaskTx } from './taskTransaction';

// The states and transitions are the protocol's request lifecycle (requestLifecycle.ts).
export type RequestKind = TaskRequestsTable['kind'];
export type RequestState = TaskRequestsTable['state'];

export interface RequestRow {
  id: string;
  kind: RequestKind;
  state: RequestState;
  /** The command or path the engineer asked for. */
  subject: string;
  expires_at: string;
}

/** Creates a pending request that expires `ttlSeconds` from now. */
export async function openRequest(tx: TaskTx<TaskHead>, kind: RequestKind, subject: string, ttlSeconds: number) {
  const id = newId();
  const expiresAt = new Date(tx.now.getTime() + ttlSeconds * 1000).toISOString();
  await tx.trx
    .insertInto('task_requests')
    .values({
      id,
      task_id: tx.task.id,
      kind,
      subject,
      state: 'pending',
      scope: null,
      created_at: tx.now.toISOString(),
      expires_at: expiresAt,
      decided_at: null,
    })
    .execute();
  return { requestId: id, expiresAt };
}

/** The task's request of this kind; unknown ids (or another task's) are E_NOT_FOUND. */
export async function findRequest(tx: TaskTx<TaskHead>, requestId: string, kind: RequestKind): Promise<RequestRow> {
  const row = await tx.trx
    .selectFrom('task_requests')
    .select(['id', 'kind', 'state', 'subject', 'expires_at'])
    .where('id', '=', requestId)
    .where('task_id', '=', tx.task.id)
    .executeTakeFirst();
  if (!row || row.kind !== kind) throw new ApiError('E_NOT_FOUND', `No ${kind} request ${requestId} in this task.`);
  return row;
}

/** Marks a pending request expired and records `request_expired`; false if it was not pending. */
export async function expireRequest(tx: TaskTx<TaskHead>, requestId: string): Promise<boolean> {
  const res = await tx.trx
    .updateTable('task_requests')
    .set({ state: 'expired', decided_at: tx.now.toISOString() })
    .where('id', '=', requestId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await tx.append('request_expired', { requestId });
  return true;
}

/** Expires every request of the task still awaiting the customer (the session ends, or the AI that asked leaves). */
export async function expirePendingRequests(tx: TaskTx<TaskHead>): Promise<void> {
  const pending = await tx.trx
    .selectFrom('task_requests')
    .select('id')
    .where('task_id', '=', tx.task.id)
    .where('state', '=', 'pending')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const r of pending) await expireRequest(tx, r.id);
}

export interface Outcome {
  /** Set when the request turned out to be past its expiry: the expiry is committed, then this is reported. */
  lateError?: ApiError;
}

/**
 * Applies the customer's decision. A request whose expiry has passed but that the sweeper has
 * not reached yet is expired here, in the same transaction, so a late "yes" never slips through.
 */
export async function decideRequest(
  tx: TaskTx<TaskHead>,
  requestId: string,
  kind: RequestKind,
  approved: boolean,
  scope: 'once' | 'session' | undefined,
): Promise<Outcome> {
  const req = await findRequest(tx, requestId, kind);
  if (req.state === 'pending' && isPastExpiry(Date.parse(req.expires_at), tx.now.getTime())) {
    await expireRequest(tx, requestId);
    return {
      lateError: new ApiError(
        'E_REQUEST_EXPIRED',
        'The request expired before the decision arrived; it counts as denied.',
      ),
    };
  }
  const verdict = checkTransition(req.state, 'decide');
  if (!verdict.ok) throw new ApiError(verdict.code, verdict.message);
  await tx.trx
    .updateTable('task_requests')
    .set({
      state: approved ? 'approved' : 'denied',
      scope: approved ? (scope ?? 'once') : null,
      decided_at: tx.now.toISOString(),
    })
    .where('id', '=', requestId)
    .execute();
  return {};
}

/**
 * Checks that output / a result / a file may be sent for this request; `finish` completes it.
 * `path` (a file upload) must be the path the request asked for, byte for byte: the customer
 * approved that path, and the engineer must be able to trust that the file is the one asked for.
 */
export async function useRequest(
  tx: TaskTx<TaskHead>,
  requestId: string,
  kind: RequestKind,
  action: 'use' | 'finish',
  path?: string,
): Promise<void> {
  const req = await findRequest(tx, requestId, kind);
  const verdict = checkTransition(req.state, action);
  if (!verdict.ok) throw new ApiError(verdict.code, verdict.message);
  if (path !== undefined && path !== req.subject) {
    throw new ApiError(
      'E_VALIDATION',
      `file_upload: path ${quote(path)} is not the path request ${requestId} asked for (${quote(req.subject)}); send the requested path exactly.`,
    );
  }
  if (action === 'finish') {
    await tx.trx.updateTable('task_requests').set({ state: 'completed' }).where('id', '=', requestId).execute();
  }
}

/** A path for an error message: JSON-escaped (nothing invisible) and kept short. */
function quote(path: string): string {
  const text = JSON.stringify(path);
  return text.length <= 120 ? text : `${text.slice(0, 117)}…"`;
}
