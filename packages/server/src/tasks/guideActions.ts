import { isAiLed } from '../ai/aiUser';
import type { AuthUser } from '../auth/guards';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { isGuide } from './guides';
import { handOffInTx } from './handoff';
import { withTaskLock } from './taskTransaction';

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
