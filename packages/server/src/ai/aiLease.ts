import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema';

/**
 * The lease in `task_ai` that lets exactly one instance drive a task's AI. Every change is one
 * conditional UPDATE, so two instances racing for a task cannot both win (PostgreSQL's row lock
 * serialises them; SQLite has one writer). A lease not renewed within its time lapses, and any
 * instance may take it then — this is how a dead instance's tasks are resumed.
 */
export interface LeaseTerms {
  instanceId: string;
  now: Date;
  leaseSeconds: number;
}

const until = (t: LeaseTerms) => new Date(t.now.getTime() + t.leaseSeconds * 1000).toISOString();

/** AI-led tasks whose AI nobody drives (no lease, or a lapsed one), oldest first. */
export async function unleasedAiTasks(
  db: Kysely<Database>,
  aiUserId: string,
  now: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('task_ai as a')
    .innerJoin('tasks as t', 't.id', 'a.task_id')
    .select('a.task_id')
    .where('a.ended_at', 'is', null)
    .where((eb) => eb.or([eb('a.lease_expires_at', 'is', null), eb('a.lease_expires_at', '<=', now.toISOString())]))
    .where('t.status', '=', 'active')
    .where('t.engineer_id', '=', aiUserId)
    .orderBy('a.started_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.task_id);
}

/** Takes the lease if it is free, lapsed or already this instance's; true when this instance holds it now. */
export async function takeLease(db: Kysely<Database>, taskId: string, t: LeaseTerms): Promise<boolean> {
  const res = await db
    .updateTable('task_ai')
    .set({ lease_instance: t.instanceId, lease_expires_at: until(t) })
    .where('task_id', '=', taskId)
    .where('ended_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('lease_instance', 'is', null),
        eb('lease_expires_at', 'is', null),
        eb('lease_expires_at', '<=', t.now.toISOString()),
        eb('lease_instance', '=', t.instanceId),
      ]),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Extends this instance's lease; false when it is no longer this instance's (lapsed and taken, or ended). */
export async function renewLease(db: Kysely<Database>, taskId: string, t: LeaseTerms): Promise<boolean> {
  const res = await db
    .updateTable('task_ai')
    .set({ lease_expires_at: until(t) })
    .where('task_id', '=', taskId)
    .where('lease_instance', '=', t.instanceId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Gives the lease up (shutdown, or the task is no longer the AI's), so another instance may take it at once. */
export async function releaseLease(db: Kysely<Database>, taskId: string, instanceId: string): Promise<void> {
  await db
    .updateTable('task_ai')
    .set({ lease_instance: null, lease_expires_at: null })
    .where('task_id', '=', taskId)
    .where('lease_instance', '=', instanceId)
    .execute();
}
