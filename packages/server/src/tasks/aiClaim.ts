import { AI_USER_ID } from '../ai/aiUser';
import type { AiConfig } from '../config';
import type { TaskHead, TaskTx } from './taskTransaction';

/**
 * The AI's claim of a task it was just created for (status `active`, engineer the AI, set by
 * the insert): the events a human's claim and arrival would write, and the `task_ai` row the
 * driver leases. No lease yet: the first instance to look takes it.
 */
export async function claimByAiInTx(tx: TaskTx, ai: Pick<AiConfig, 'name' | 'model'>): Promise<void> {
  await tx.append('task_status', { status: 'active' });
  await tx.append('engineer_connected', {
    engineer: { id: AI_USER_ID, name: ai.name, title: ai.model ?? null },
    kind: 'ai',
  });
  await tx.trx
    .insertInto('task_ai')
    .values({
      task_id: tx.task.id,
      lease_instance: null,
      lease_expires_at: null,
      model_calls: 0,
      tokens: 0,
      failures: 0,
      started_at: tx.now.toISOString(),
      ended_at: null,
    })
    .execute();
}

/** The task's AI stops: its `task_ai` row is ended and its lease given up (no row: nothing to do). */
export async function endTaskAi(tx: TaskTx<TaskHead>): Promise<void> {
  await tx.trx
    .updateTable('task_ai')
    .set({ ended_at: tx.now.toISOString(), lease_instance: null, lease_expires_at: null })
    .where('task_id', '=', tx.task.id)
    .where('ended_at', 'is', null)
    .execute();
}
