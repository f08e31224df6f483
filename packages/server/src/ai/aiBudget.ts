import type { Kysely } from 'kysely';
import type { AiConfig } from '../config';
import type { Database } from '../storage/schema';

/** The AI's standing in `task_ai`: its budget used so far and its failure streak. */
export interface AiStanding {
  modelCalls: number;
  tokens: number;
  failures: number;
  startedAt: string;
  ended: boolean;
}

export async function readStanding(db: Kysely<Database>, taskId: string): Promise<AiStanding | undefined> {
  const row = await db
    .selectFrom('task_ai')
    .select(['model_calls', 'tokens', 'failures', 'started_at', 'ended_at'])
    .where('task_id', '=', taskId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    modelCalls: Number(row.model_calls),
    tokens: Number(row.tokens),
    failures: Number(row.failures),
    startedAt: row.started_at,
    ended: row.ended_at !== null,
  };
}

/**
 * Which part of the task's AI budget is used up: `detail` for the `handoff` event; `always`
 * when it ends the AI even while it waits (its minutes), not only when a model call is due.
 * Undefined while there is budget left for another call.
 */
export function budgetSpent(s: AiStanding, ai: AiConfig, now: Date): { detail: string; always: boolean } | undefined {
  const minutes = (now.getTime() - new Date(s.startedAt).getTime()) / 60_000;
  if (minutes >= ai.maxMinutesPerTask)
    return { detail: `The AI's ${ai.maxMinutesPerTask} minutes for this task are up.`, always: true };
  if (s.modelCalls >= ai.maxCallsPerTask)
    return { detail: `The AI used all ${ai.maxCallsPerTask} model calls of this task.`, always: false };
  if (s.tokens >= ai.maxTokensPerTask)
    return { detail: `The AI used all ${ai.maxTokensPerTask} tokens of this task.`, always: false };
  return undefined;
}

/** Counts one model call and the tokens it used (none for a call that failed). */
export async function countCall(db: Kysely<Database>, taskId: string, tokens: number): Promise<void> {
  await db
    .updateTable('task_ai')
    .set((eb) => ({ model_calls: eb('model_calls', '+', 1), tokens: eb('tokens', '+', tokens) }))
    .where('task_id', '=', taskId)
    .execute();
}

/** Records the failure streak: +1 after a failed turn, back to 0 after a good one; returns the new streak. */
export async function recordOutcome(db: Kysely<Database>, taskId: string, failed: boolean): Promise<number> {
  if (!failed) {
    await db.updateTable('task_ai').set({ failures: 0 }).where('task_id', '=', taskId).execute();
    return 0;
  }
  await db
    .updateTable('task_ai')
    .set((eb) => ({ failures: eb('failures', '+', 1) }))
    .where('task_id', '=', taskId)
    .execute();
  const row = await db.selectFrom('task_ai').select('failures').where('task_id', '=', taskId).executeTakeFirst();
  return Number(row?.failures ?? 0);
}
