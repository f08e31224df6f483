import { sql } from 'kysely';
import { AI_USER_ID } from '../ai/aiUser';
import { ApiError } from '../http/errors';
import type { StorageTx } from '../storage/storage';
import type { TaskHead, TaskTx } from './taskTransaction';

/**
 * Standing limits on what one party can pile up (server settings, each refused with
 * E_LIMIT_REACHED). Each is checked inside the transaction that would add to it, under a lock
 * that serialises the additions, so two racing additions cannot both slip under it.
 */

/** Before opening a request: at most `max` of the task's requests may await the customer's answer. */
export async function checkPendingRequests(tx: TaskTx<TaskHead>, max: number): Promise<void> {
  const { n } = await tx.trx
    .selectFrom('task_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('task_id', '=', tx.task.id)
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  if (Number(n) >= max) {
    throw new ApiError(
      'E_LIMIT_REACHED',
      `This task already has ${max} requests waiting for the customer's answer; wait until some are answered or expire.`,
    );
  }
}

/**
 * Before storing a customer message in a queued task: its transcript (the stored payloads) may
 * not grow past `max` bytes while nobody reads it — the customer waits for an engineer to claim it.
 */
export async function checkQueuedTranscript(tx: TaskTx<TaskHead>, payload: unknown, max: number): Promise<void> {
  const bytes =
    tx.dialect === 'postgres' ? sql<string>`octet_length(payload)` : sql<string>`length(cast(payload as blob))`;
  const { total } = await tx.trx
    .selectFrom('task_events')
    .select(sql<string | number | null>`coalesce(sum(${bytes}), 0)`.as('total'))
    .where('task_id', '=', tx.task.id)
    .executeTakeFirstOrThrow();
  const adding = Buffer.byteLength(JSON.stringify(payload));
  if (Number(total) + adding > max) {
    throw new ApiError(
      'E_LIMIT_REACHED',
      `The transcript of a task waiting in the queue is limited to ${max} bytes; wait for an engineer to claim it.`,
    );
  }
}

/**
 * Before creating a task: a customer may have at most `max` tasks waiting in the queue, and as
 * many led by the AI (each one drives model calls). The customer's row is locked first
 * (PostgreSQL; SQLite has one writer), so that concurrent creations count one after the other.
 */
export async function checkQueuedTasks(
  storage: StorageTx,
  customerId: string,
  max: number,
  byAi = false,
): Promise<void> {
  if (storage.dialect === 'postgres') {
    await storage.db.selectFrom('users').select('id').where('id', '=', customerId).forUpdate().execute();
  }
  let count = storage.db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', customerId);
  count = byAi
    ? count.where('status', '=', 'active').where('engineer_id', '=', AI_USER_ID)
    : count.where('status', '=', 'queued');
  const { n } = await count.executeTakeFirstOrThrow();
  if (Number(n) >= max) {
    throw new ApiError(
      'E_LIMIT_REACHED',
      byAi
        ? `You already have ${max} sessions with the AI running; end one (codevf fix --resume, or end it in the console) first.`
        : `You already have ${max} tasks waiting in the queue; end one (codevf fix --resume, or end it in the console) or wait for an engineer.`,
    );
  }
}
