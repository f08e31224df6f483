import type { Kysely } from 'kysely';
import { isAiLed } from '../ai/aiUser';
import type { AuthUser } from '../auth/guards';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import type { Database } from '../storage/schema';
import { handOffInTx } from './handoff';
import { withTaskLock } from './taskTransaction';

/**
 * Vibe mode: engineers who guide an AI-led task without taking it over. A guide reads the whole
 * session and writes guidance the AI takes as instructions; the rows go when the AI leaves.
 */

export async function isGuide(db: Kysely<Database>, taskId: string, engineerId: string): Promise<boolean> {
  const row = await db
    .selectFrom('task_guides')
    .select('engineer_id')
    .where('task_id', '=', taskId)
    .where('engineer_id', '=', engineerId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The guides of each task, by task id. */
export async function guidesOf(
  db: Kysely<Database>,
  taskIds: readonly string[],
): Promise<Map<string, { id: string; name: string }[]>> {
  const byTask = new Map<string, { id: string; name: string }[]>();
  if (taskIds.length === 0) return byTask;
  const rows = await db
    .selectFrom('task_guides as g')
    .innerJoin('users as u', 'u.id', 'g.engineer_id')
    .select(['g.task_id', 'u.id', 'u.name'])
    .where('g.task_id', 'in', [...taskIds])
    .orderBy('g.joined_at')
    .execute();
  for (const r of rows) {
    const list = byTask.get(r.task_id) ?? [];
    list.push({ id: r.id, name: r.name });
    byTask.set(r.task_id, list);
  }
  return byTask;
}

function notAiLed(status: string): ApiError {
  return new ApiError(
    'E_CONFLICT',
    status === 'ended'
      ? 'The session has ended.'
      : 'The AI does not lead this task (a human engineer does, or it waits in the queue): there is nothing to guide.',
  );
}

/** Makes the engineer a guide of the AI-led task (again: no change). Under the task's lock, so a hand-over cannot slip in between. */
export async function joinAsGuide(ctx: AppContext, engineer: AuthUser, taskId: string): Promise<void> {
  await withTaskLock(
    ctx,
    taskId,
    ctx.clock.now(),
    async (tx) => {
      const task = await tx.trx
        .selectFrom('tasks')
        .select(['status', 'engineer_id'])
        .where('id', '=', taskId)
        .executeTakeFirstOrThrow();
      if (!isAiLed(task)) throw notAiLed(task.status);
      await tx.trx
        .insertInto('task_guides')
        .values({ task_id: taskId, engineer_id: engineer.id, joined_at: tx.now.toISOString() })
        .onConflict((oc) => oc.columns(['task_id', 'engineer_id']).doNothing())
        .execute();
    },
    'head',
  );
}

/** A guide takes the task over from the AI: the AI hands over (`engineer_took_over`) and they are its engineer. */
export async function takeOver(ctx: AppContext, engineer: AuthUser, taskId: string): Promise<void> {
  await withTaskLock(ctx, taskId, ctx.clock.now(), async (tx) => {
    if (!isAiLed(tx.task)) throw notAiLed(tx.task.status);
    if (!(await isGuide(tx.trx, taskId, engineer.id)))
      throw new ApiError('E_FORBIDDEN', 'Guide the task first (POST /v1/tasks/:id/guide), then take it over.');
    await handOffInTx(tx, ctx, { reason: 'engineer_took_over', takeoverBy: engineer.id, senderId: engineer.id });
  });
}
