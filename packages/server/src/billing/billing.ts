import type { AppContext } from '../context';
import { newId } from '../ids';
import { preparedQuery } from '../storage/preparedQuery';
import type { CreditLedgerTable } from '../storage/schema';
import { endTaskInTx } from '../tasks/taskEnd';
import { type TaskChange, withTaskLock } from '../tasks/taskTransaction';

/** Under this many minutes of balance left, `billing_update` carries `warning: "low_balance"`. */
export const LOW_BALANCE_MINUTES = 5;
/** At most this many missed minutes are caught up in one tick (a paused process, a clock jump). */
const MAX_CATCH_UP = 180;

/** Minute k of a task spans [claimedAt + k min, claimedAt + (k+1) min). */
export function minuteIndex(claimedAt: string, at: Date): number {
  return Math.max(0, Math.floor((at.getTime() - Date.parse(claimedAt)) / 60_000));
}

// At a minute boundary every live session is charged: its statements are prepared once.
const ledgerMinute = preparedQuery('ledgerMinute', (db, p: { taskId: string; minute: number }) =>
  db.selectFrom('credit_ledger').select('id').where('task_id', '=', p.taskId).where('minute_index', '=', p.minute),
);
const payMinute = preparedQuery('payMinute', (db, p: { customerId: string; rate: number }) =>
  db
    .updateTable('users')
    .set((eb) => ({ credits: eb('credits', '-', p.rate) }))
    .where('id', '=', p.customerId)
    .where('credits', '>=', p.rate)
    .returning('credits'),
);
const ledgerCharge = preparedQuery('ledgerCharge', (db, p: CreditLedgerTable) =>
  db
    .insertInto('credit_ledger')
    .values({
      id: p.id,
      user_id: p.user_id,
      task_id: p.task_id,
      minute_index: p.minute_index,
      amount: p.amount,
      kind: p.kind,
      note: p.note,
      created_at: p.created_at,
    })
    // Belt and braces: the task lock already serialises chargers; the key makes it a rule.
    .onConflict((oc) => oc.columns(['task_id', 'minute_index']).doNothing()),
);

export type ChargeResult = 'charged' | 'already' | 'inactive' | 'ended';

/**
 * Charges minute `k` of an active task, once. The ledger's unique (task, minute) key is the
 * guarantee: whichever instance gets there second finds the row and charges nothing. A minute
 * the customer cannot pay for — balance or the task's maxCredits — ends the session instead.
 */
export async function chargeMinute(ctx: AppContext, taskId: string, k: number): Promise<TaskChange<ChargeResult>> {
  const rate = ctx.config.creditsPerMinute;
  return withTaskLock(ctx, taskId, ctx.clock.now(), async (tx): Promise<ChargeResult> => {
    const task = tx.task;
    if (task.status !== 'active') return 'inactive';
    const existing = await tx.run(ledgerMinute, { taskId, minute: k });
    if (existing.rows.length > 0) return 'already';

    const used = Number(task.credits_used);
    if (task.max_credits !== null && used + rate > Number(task.max_credits)) {
      await endTaskInTx(tx, 'system', `The task reached its credit limit (${task.max_credits} credits).`);
      return 'ended';
    }
    const paid = (await tx.run(payMinute, { customerId: task.customer_id, rate })).rows[0];
    if (!paid) {
      await endTaskInTx(tx, 'system', 'The account ran out of credits.');
      return 'ended';
    }
    const inserted = await tx.run(ledgerCharge, {
      id: newId(),
      user_id: task.customer_id,
      task_id: taskId,
      minute_index: k,
      amount: -rate,
      kind: 'charge',
      note: `minute ${k + 1}`,
      created_at: tx.now.toISOString(),
    });
    if (Number(inserted.numAffectedRows ?? 0) !== 1) throw new Error('minute charged concurrently');

    const minutes = Number(task.billed_minutes) + 1;
    const creditsUsed = used + rate;
    await tx.update({ credits_used: creditsUsed, billed_minutes: minutes });

    const balance = Number(paid.credits);
    const threshold = LOW_BALANCE_MINUTES * rate;
    // Warn once: when this charge crosses the threshold, or on the first charge if already under.
    const warn = balance < threshold && (balance + rate >= threshold || minutes === 1);
    await tx.append('billing_update', {
      creditsUsed,
      balance,
      ratePerMinute: rate,
      minutes,
      ...(warn ? { warning: 'low_balance' } : {}),
    });
    return 'charged';
  });
}

export interface BillingPass {
  /** When minute 0 began; null when the task is not billable (not active). */
  claimedAt: string | null;
  /** Every minute up to this index is settled (charged, or the task stopped being billable). */
  through: number;
}

/**
 * Charges the minutes of an active task from the one in which an engineer connected (`since`)
 * up to the current one. Each started minute with an engineer connected is charged; minutes
 * already in the ledger (another instance, an earlier tick) are skipped.
 */
export async function billConnectedTask(ctx: AppContext, taskId: string, since: Date): Promise<BillingPass> {
  const task = await ctx.storage.db
    .selectFrom('tasks')
    .select(['status', 'claimed_at'])
    .where('id', '=', taskId)
    .executeTakeFirst();
  if (task?.status !== 'active' || !task.claimed_at) return { claimedAt: null, through: Number.MAX_SAFE_INTEGER };
  const now = ctx.clock.now();
  const last = minuteIndex(task.claimed_at, now);
  const first = Math.max(minuteIndex(task.claimed_at, since), last - MAX_CATCH_UP + 1);
  const charged = new Set(
    (
      await ctx.storage.db
        .selectFrom('credit_ledger')
        .select('minute_index')
        .where('task_id', '=', taskId)
        .where('minute_index', '>=', first)
        .where('minute_index', '<=', last)
        .execute()
    ).map((r) => Number(r.minute_index)),
  );
  for (let k = first; k <= last; k++) {
    if (charged.has(k)) continue;
    const { value } = await chargeMinute(ctx, taskId, k);
    if (value === 'ended' || value === 'inactive') return { claimedAt: null, through: Number.MAX_SAFE_INTEGER };
  }
  return { claimedAt: task.claimed_at, through: last };
}
