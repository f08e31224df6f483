import type { Kysely } from 'kysely';
import type { AiConfig } from '../config';
import type { Database } from '../storage/schema';

/** Midnight UTC of `now`'s day, as stored timestamps are written (ISO text sorts by time). */
export function utcDayStart(now: Date): string {
  return `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
}

/**
 * A customer's free AI minutes left today (UTC day): the allowance minus today's free AI
 * minutes, which the ledger holds as `help = 'ai'` charges of 0.
 */
export async function freeAiMinutesLeft(
  db: Kysely<Database>,
  ai: Pick<AiConfig, 'freeMinutesPerDay'>,
  customerId: string,
  now: Date,
): Promise<number> {
  if (ai.freeMinutesPerDay <= 0) return 0;
  const { n } = await db
    .selectFrom('credit_ledger')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', customerId)
    .where('kind', '=', 'charge')
    .where('help', '=', 'ai')
    .where('amount', '=', 0)
    .where('created_at', '>=', utcDayStart(now))
    .executeTakeFirstOrThrow();
  return Math.max(0, ai.freeMinutesPerDay - Number(n));
}
