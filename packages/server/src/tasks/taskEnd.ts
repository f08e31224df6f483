import type { EventPayload } from '@codevf/protocol';
import { sessionDurationSeconds } from '../billing/billingRule';
import { type BillingConfig, settleMinutesInTx } from '../billing/minuteCharge';
import { ApiError } from '../http/errors';
import { endTaskAi } from './aiClaim';
import { expirePendingRequests } from './requests';
import type { TaskTx } from './taskTransaction';

export type EndedBy = EventPayload<'session_end'>['endedBy'];

/**
 * Ends the locked task: the minutes the billing rule makes due up to now are charged (so the
 * summary, the task and the ledger agree), open requests expire (they count as denied), then
 * `session_end` with a summary closes the transcript. Used by the REST end, the `end_session`
 * message and billing.
 */
export async function endTaskInTx(
  tx: TaskTx,
  config: BillingConfig,
  endedBy: EndedBy,
  reason: string,
  clientMsgId?: string,
  resolution?: string,
): Promise<void> {
  const task = tx.task;
  if (task.status === 'ended') throw new ApiError('E_CONFLICT', 'The task has already ended.');
  // A minute that cannot be paid is not charged; the session ends anyway.
  await settleMinutesInTx(tx, config);
  await expirePendingRequests(tx);

  await tx.update({
    status: 'ended',
    ended_at: tx.now.toISOString(),
    ended_by: endedBy,
    end_reason: reason,
    resolution: resolution ?? null,
  });
  // An AI-led task's AI stops with it.
  await endTaskAi(tx);

  const engineer = task.engineer_id
    ? await tx.trx.selectFrom('users').select('name').where('id', '=', task.engineer_id).executeTakeFirst()
    : undefined;
  const durationSeconds = sessionDurationSeconds(task.claimed_at, task.ended_at, tx.now);
  await tx.append(
    'session_end',
    {
      endedBy,
      reason,
      ...(resolution ? { resolution } : {}),
      summary: {
        engineer: engineer?.name ?? null,
        durationSeconds,
        billedMinutes: Number(task.billed_minutes),
        creditsUsed: Number(task.credits_used),
      },
    },
    // An `end_session` message's id rides on the event it caused, so a re-send is answered, not re-run.
    { clientMsgId: clientMsgId ?? null },
  );
}
