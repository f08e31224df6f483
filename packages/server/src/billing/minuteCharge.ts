import type { HelpKind } from '@codevf/protocol';
import type { ServerConfig } from '../config';
import { newId } from '../ids';
import { type PreparedRunner, preparedQuery } from '../storage/preparedQuery';
import type { CreditLedgerTable } from '../storage/schema';
import type { TaskTx } from '../tasks/taskTransaction';
import { billableMinuteHelp, type PresenceMark } from './billingRule';
import { priceMinute } from './minutePrice';
import { agentSeenUntil, readPresenceMarks } from './presenceMarks';

/** Under this many minutes of balance left, `billing_update` carries `warning: "low_balance"`. */
export const LOW_BALANCE_MINUTES = 5;

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
      help: p.help,
      note: p.note,
      created_at: p.created_at,
    })
    // Belt and braces: the task lock already serialises chargers; the key makes it a rule.
    .onConflict((oc) => oc.columns(['task_id', 'minute_index']).doNothing()),
);

const ledgerMinutes = preparedQuery('ledgerMinutes', (db, p: { taskId: string }) =>
  db.selectFrom('credit_ledger').select('minute_index').where('task_id', '=', p.taskId),
);

/** The minute indices of a task already in the ledger (through a transaction's `run` or the storage's `read`). */
export async function chargedMinutes(run: PreparedRunner, taskId: string): Promise<Set<number>> {
  return new Set((await run(ledgerMinutes, { taskId })).rows.map((r) => Number(r.minute_index)));
}

/** The settings the billing rule reads. */
export type BillingConfig = Pick<ServerConfig, 'creditsPerMinute' | 'presenceGraceSeconds' | 'ai'>;

/** A charge's outcome; `unpaid` carries why the minute cannot be paid (the session must end). */
export type MinuteCharge = { kind: 'charged' } | { kind: 'already' } | { kind: 'unpaid'; reason: string };

/**
 * Charges minute `k` of the locked, active task, once, at its price (a human's or the AI's,
 * minutePrice.ts). The ledger's unique (task, minute) key is the guarantee: whichever instance
 * gets there second finds the row and charges nothing.
 */
export async function chargeMinuteInTx(
  tx: TaskTx,
  k: number,
  config: Pick<BillingConfig, 'creditsPerMinute' | 'ai'>,
  help: HelpKind,
): Promise<MinuteCharge> {
  const task = tx.task;
  const existing = await tx.run(ledgerMinute, { taskId: task.id, minute: k });
  if (existing.rows.length > 0) return { kind: 'already' };
  const price = await priceMinute(tx, config, k, help);
  const rate = price.rate;

  const used = Number(task.credits_used);
  if (task.max_credits !== null && used + rate > Number(task.max_credits))
    return { kind: 'unpaid', reason: `The task reached its credit limit (${task.max_credits} credits).` };
  const paid = (await tx.run(payMinute, { customerId: task.customer_id, rate })).rows[0];
  if (!paid) return { kind: 'unpaid', reason: 'The account ran out of credits.' };
  const inserted = await tx.run(ledgerCharge, {
    id: newId(),
    user_id: task.customer_id,
    task_id: task.id,
    minute_index: k,
    amount: -rate,
    kind: 'charge',
    help,
    note: price.note,
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
    help,
    ...(price.freeMinutesLeft !== undefined ? { freeMinutesLeft: price.freeMinutesLeft } : {}),
  });
  return { kind: 'charged' };
}

/**
 * Charges, in the locked task, every minute the billing rule makes due by `until` (default
 * `tx.now`) that the ledger lacks. Stops at the first minute that cannot be paid and returns why.
 * A task waiting in the queue after the AI handed it over still owes the AI's minutes (it has
 * a claim time); one never claimed owes nothing.
 */
export async function settleMinutesInTx(
  tx: TaskTx,
  config: BillingConfig,
  marks?: readonly PresenceMark[],
  until = tx.now.getTime(),
): Promise<{ unpaid: string | null }> {
  const task = tx.task;
  if (task.status === 'ended' || !task.claimed_at) return { unpaid: null };
  const presence = marks ?? (await readPresenceMarks(tx.run, task.id));
  // An agent's customer is known present only up to its last call (the sweep records the rest).
  const upTo = task.driver === 'agent' ? Math.min(until, await agentSeenUntil(tx.trx, task.id, until)) : until;
  const due = billableMinuteHelp(presence, Date.parse(task.claimed_at), upTo, config.presenceGraceSeconds * 1000);
  if (due.size === 0) return { unpaid: null };
  const charged = await chargedMinutes(tx.run, task.id);
  for (const [k, help] of [...due].sort(([a], [b]) => a - b)) {
    if (charged.has(k)) continue;
    const r = await chargeMinuteInTx(tx, k, config, help);
    if (r.kind === 'unpaid') return { unpaid: r.reason };
  }
  return { unpaid: null };
}
