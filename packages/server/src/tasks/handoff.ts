import { type HandoffReason, MAX_CHAT_CHARS, MAX_REASON_CHARS } from '@codevf/protocol';
import { AI_USER_ID, isAiLed } from '../ai/aiUser';
import { settleMinutesInTx } from '../billing/minuteCharge';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { endTaskAi } from './aiClaim';
import { eventFromRow, type StoredEvent } from './eventLog';
import { serverSummary } from './handoffSummary';
import { queueSlot } from './queue';
import { expirePendingRequests } from './requests';
import { refreshQueuePositions } from './taskService';
import { type TaskTx, withTaskLock } from './taskTransaction';

export interface HandOffOptions {
  reason: HandoffReason;
  /** The AI's own summary; without one the server writes it from the transcript. */
  summary?: string;
  /** What went wrong (model_failed, budget_exhausted); never a secret. */
  detail?: string;
  /** For `engineer_took_over`: the guiding engineer who becomes the task's engineer. */
  takeoverBy?: string;
  /** The client message that asked for it (`request_human`): stored on the `handoff` event. */
  clientMsgId?: string;
  /** Who caused it (the customer, a guide); the AI otherwise. */
  senderId?: string;
}

export interface HandOffResult {
  /** The `handoff` event (its seq acks a `request_human`). */
  event: StoredEvent;
  /** Whether the task went back to the queue (everything but a takeover). */
  queued: boolean;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The AI leaves the locked task for a human: the minutes due so far are charged (while the AI
 * still counts as present), `handoff` is written (with the server's summary when there is none),
 * the AI's pending requests expire, the AI disconnects and its lease ends. Then the task goes
 * back to the queue — `claimed_at` kept, so the billing minutes stay anchored to the session's
 * start — unless a guiding engineer takes over, who becomes the engineer at once.
 */
export async function handOffInTx(tx: TaskTx, ctx: AppContext, options: HandOffOptions): Promise<HandOffResult> {
  const task = tx.task;
  if (task.status === 'ended') throw new ApiError('E_CONFLICT', 'The session has ended.');
  if (!isAiLed(task))
    throw new ApiError('E_CONFLICT', 'The AI does not lead this task (a human engineer does, or none yet).');
  // The AI's minutes are charged up to now: the minute of the hand-over is the AI's (the billing
  // job charges a minute as soon as it counts, so it would be anyway). One that cannot be paid
  // is left for the billing job, which ends the session over it.
  await settleMinutesInTx(tx, ctx.config);

  let summary = options.summary?.trim() ?? '';
  if (!summary) {
    const rows = await tx.trx
      .selectFrom('task_events')
      .selectAll()
      .where('task_id', '=', task.id)
      .orderBy('seq')
      .execute();
    summary = serverSummary(rows.map(eventFromRow), task);
  }
  summary = clip(summary, MAX_CHAT_CHARS);
  const detail = options.detail?.trim() ? clip(options.detail.trim(), MAX_REASON_CHARS) : undefined;

  const event = await tx.append(
    'handoff',
    { from: 'ai', reason: options.reason, summary, ...(detail ? { detail } : {}) },
    { senderId: options.senderId ?? AI_USER_ID, clientMsgId: options.clientMsgId ?? null },
  );
  await expirePendingRequests(tx);
  await tx.append('engineer_disconnected', { engineerId: AI_USER_ID });
  await endTaskAi(tx);
  // Guides steer the AI; with the AI gone there is nothing left to guide.
  await tx.trx.deleteFrom('task_guides').where('task_id', '=', task.id).execute();
  const handoff = { handoff_reason: options.reason, handoff_summary: summary, handoff_at: tx.now.toISOString() };

  if (options.reason === 'engineer_took_over') {
    if (!options.takeoverBy) throw new Error('engineer_took_over needs takeoverBy');
    await tx.update({ ...handoff, engineer_id: options.takeoverBy, mode: task.mode === 'ai' ? 'hybrid' : task.mode });
    return { event, queued: false };
  }
  await tx.update({ ...handoff, status: 'queued', engineer_id: null, mode: task.mode === 'ai' ? 'hybrid' : task.mode });
  const slot = await queueSlot(tx.trx, task, tx.now);
  await tx.append('task_status', { status: 'queued', ...slot });
  return { event, queued: true };
}

/**
 * Hands the task over under its lock (see handOffInTx); the queue is re-ranked after the commit.
 * A `request_human` sent again with the same id is answered with the `handoff` it caused.
 */
export async function handOff(ctx: AppContext, taskId: string, options: HandOffOptions): Promise<HandOffResult> {
  const change = await withTaskLock(ctx, taskId, ctx.clock.now(), async (tx) => {
    if (options.clientMsgId) {
      const dup = await tx.findByClientId(options.clientMsgId);
      if (dup) {
        if (dup.senderId !== (options.senderId ?? AI_USER_ID))
          throw new ApiError('E_CONFLICT', 'This message id is already used in this task.');
        return { event: dup, queued: false };
      }
    }
    return handOffInTx(tx, ctx, options);
  });
  if (change.value.queued) await refreshQueuePositions(ctx);
  return change.value;
}
