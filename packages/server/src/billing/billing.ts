import type { HelpKind } from '@codevf/protocol';
import type { AppContext } from '../context';
import { endTaskInTx } from '../tasks/taskEnd';
import { type TaskChange, withTaskLock } from '../tasks/taskTransaction';
import { customerAbsentSince, minuteIndex } from './billingRule';
import { chargeMinuteInTx, settleMinutesInTx } from './minuteCharge';
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

/**
 * Brings an active task's billing up to now: charges the minutes the billing rule makes due
 * (billingRule.ts), ends the session when a minute cannot be paid, and ends it when the
 * customer has been away longer than CODEVF_CUSTOMER_GONE_MINUTES (gone, or never connected
 * since the claim). Idempotent: any instance may run it at any time.
 */
export async function billTask(ctx: AppContext, taskId: string): Promise<BillingPass> {
  const { value } = await withTaskLock(ctx, taskId, ctx.clock.now(), async (tx): Promise<BillingPass> => {
    const task = tx.task;
    if (task.status === 'ended') return { nextCheckAt: null };
    // Queued: a claim on another instance is seen by the next look.
    if (task.status !== 'active' || !task.claimed_at) return { nextCheckAt: tx.now.getTime() + RECHECK_MS };
    const marks = await readPresenceMarks(tx.trx, taskId);
    const now = tx.now.getTime();
    const absent = customerAbsentSince(marks, Date.parse(task.claimed_at));
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
    const claimed = Date.parse(task.claimed_at);
    const nextMinute = claimed + (minuteIndex(claimed, now) + 1) * 60_000;
    const candidates = [nextMinute, now + RECHECK_MS];
    if (absent) candidates.push(absent.since + goneLimitMs);
    return { nextCheckAt: Math.min(...candidates) };
  });
  return value;
}

function describeLimit(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes >= 1 && Number.isInteger(minutes)) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const seconds = Math.round(ms / 1000);
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
