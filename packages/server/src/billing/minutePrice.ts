import type { HelpKind } from '@codevf/protocol';
import type { ServerConfig } from '../config';
import type { TaskTx } from '../tasks/taskTransaction';
import { freeAiMinutesLeft } from './aiAllowance';

/** What one billed minute costs and how the ledger and `billing_update` describe it. */
export interface MinutePrice {
  help: HelpKind;
  rate: number;
  note: string;
  /** For AI minutes: the customer's free AI minutes left today once this one is charged. */
  freeMinutesLeft?: number;
}

/**
 * The price of the locked task's minute `k` (0-based) with the given help: a human's at the
 * human rate; the AI's free while the customer's daily allowance lasts, then at the AI rate.
 * The allowance is shared by the customer's tasks, so on PostgreSQL their row is locked before
 * it is counted: two tasks charging at once cannot both spend the last free minute.
 */
export async function priceMinute(
  tx: TaskTx,
  config: Pick<ServerConfig, 'creditsPerMinute' | 'ai'>,
  k: number,
  help: HelpKind,
): Promise<MinutePrice> {
  if (help === 'human') return { help, rate: config.creditsPerMinute, note: `minute ${k + 1}` };
  const customerId = tx.task.customer_id;
  if (tx.dialect === 'postgres')
    await tx.trx.selectFrom('users').select('id').where('id', '=', customerId).forUpdate().execute();
  const left = await freeAiMinutesLeft(tx.trx, config.ai, customerId, tx.now);
  if (left > 0) return { help, rate: 0, note: `minute ${k + 1}: free AI minute`, freeMinutesLeft: left - 1 };
  return { help, rate: config.ai.creditsPerMinute, note: `minute ${k + 1}: AI`, freeMinutesLeft: 0 };
}
