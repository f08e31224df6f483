import type { HelpKind } from '@codevf/protocol';
import type { AppContext } from '../context';
import { preparedQuery } from '../storage/preparedQuery';
import { endTaskInTx } from '../tasks/taskEnd';
import { type TaskChange, withTaskLock } from '../tasks/taskTransaction';
import { billableMinuteHelp, customerAbsentSince, minuteIndex } from './billingRule';
import { chargedMinutes, chargeMinuteInTx, settleMinutesInTx } from './minuteCharge';
import { readPresenceMarks } from './presenceMarks';

/** Without a presence change, a task is looked at again at least this often (other instances' events). */
const RECHECK_MS = 5_000;

export type ChargeResult = 'charged' | 'already' | 'inactive' | 'ended';

/**
 * Charges minute `k` of an active task, once (whichever instance gets there second charges
 * nothing). A minute the customer cannot pay for — balance or the task's maxCredits — ends the
 * session instead.
 */
export async function chargeMinute(
  ctx: AppContext,
  taskId: string,
  k: number,
  help: HelpKind = 'human',
): Promise<TaskChange<ChargeResult>> {
  return withTaskLock(ctx, taskId, ctx.clock.now(), async (tx): Promise<ChargeResult> => {
    if (tx.task.status !== 'active') return 'inactive';
    const r = await chargeMinuteInTx(tx, k, ctx.config, help);
    if (r.kind !== 'unpaid') return r.kind;
    await endTaskInTx(tx, ctx.config, 'system', r.reason);
    return 'ended';
  });
}

export interface BillingPass {
  /** When this task needs looking at again (epoch ms); null once it has ended. */
  nextCheckAt: number | null;
}

const taskForBilling = preparedQuery('taskForBilling', (db, p: { taskId: string }) =>
  db.selectFrom('tasks').select(['status', 'claimed_at']).where('id', '=', p.taskId),
);

/**
 * Brings an active task's billing up to now: charges the minutes the billing rule makes due
 * (billingRule.ts), ends the session when a minute cannot be paid, and ends it when the
 * customer has been away longer than CODEVF_CUSTOMER_GONE_MINUTES (gone, or never connected
 * since the claim). Idempotent: any instance may run it at any time. Most looks find nothing
 * to do; that is decided on what has committed, and the task's lock is taken only to act.
 */
export async function billTask(ctx: AppContext, taskId: string): Promise<BillingPass> {
  const quiet = await nothingDueUntil(ctx, taskId);
  if (quiet !== null) return { nextCheckAt: quiet };
  const { value } = await withTaskLock(ctx, taskId, ctx.clock.now(), async (tx): Promise<BillingPass> => {
    const task = tx.task;
    if (task.status === 'ended') return { nextCheckAt: null };
    // Queued: a claim on another instance is seen by the next look.
    if (task.status !== 'active' || !task.claimed_at) return { nextCheckAt: tx.now.getTime() + RECHECK_MS };
    const marks = await readPresenceMarks(tx.run, taskId);
    const now = tx.now.getTime();
    const claimed = Date.parse(task.claimed_at);
    const absent = customerAbsentSince(marks, claimed);
    const goneLimitMs = ctx.config.customerGoneMinutes * 60_000;
    if (absent && now - absent.since >= goneLimitMs) {
      // Minutes billed before the customer left are settled by the end itself.
      const limit = describeLimit(goneLimitMs);
      const reason = absent.neverCame
        ? `The customer did not connect within ${limit} of the claim.`
        : `The customer was disconnected for more than ${limit}.`;
      await endTaskInTx(tx, ctx.config, 'system', reason);
      return { nextCheckAt: null };
    }
    const { unpaid } = await settleMinutesInTx(tx, ctx.config, marks);
    if (unpaid) {
      await endTaskInTx(tx, ctx.config, 'system', unpaid);
      return { nextCheckAt: null };
    }
    return { nextCheckAt: nextLook(claimed, now, absent, goneLimitMs) };
  });
  return value;
}

/**
 * When an active task needs looking at again, if it needs nothing now: read outside the lock,
 * the same rule billTask applies under it. Null when something may be due (a minute the ledger
 * lacks, the customer gone too long) or the task is not an active claimed one.
 */
async function nothingDueUntil(ctx: AppContext, taskId: string): Promise<number | null> {
  const task = (await ctx.storage.read(taskForBilling, { taskId })).rows[0];
  if (task?.status !== 'active' || !task.claimed_at) return null;
  const now = ctx.clock.now().getTime();
  const marks = await readPresenceMarks(ctx.storage.read, taskId);
  const claimed = Date.parse(task.claimed_at);
  const absent = customerAbsentSince(marks, claimed);
  const goneLimitMs = ctx.config.customerGoneMinutes * 60_000;
  if (absent && now - absent.since >= goneLimitMs) return null;
  const due = billableMinuteHelp(marks, claimed, now, ctx.config.presenceGraceSeconds * 1000);
  if (due.size > 0) {
    const charged = await chargedMinutes(ctx.storage.read, taskId);
    for (const k of due.keys()) if (!charged.has(k)) return null;
  }
  return nextLook(claimed, now, absent, goneLimitMs);
}

/** The next minute boundary, the customer-gone limit, or RECHECK_MS from now, whichever is first. */
function nextLook(claimed: number, now: number, absent: { since: number } | null, goneLimitMs: number): number {
  const nextMinute = claimed + (minuteIndex(claimed, now) + 1) * 60_000;
  const candidates = [nextMinute, now + RECHECK_MS];
  if (absent) candidates.push(absent.since + goneLimitMs);
  return Math.min(...candidates);
}

function describeLimit(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes >= 1 && Number.isInteger(minutes)) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const seconds = Math.round(ms / 1000);
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
