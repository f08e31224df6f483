import type { Task } from '@codevf/protocol';
import type { Kysely } from 'kysely';
import { isAiLed } from '../ai/aiUser';
import { sessionDurationSeconds } from '../billing/billingRule';
import type { Database, TaskRow } from '../storage/schema';

/** A task row with the names the API shows next to it. */
export interface TaskRecord extends TaskRow {
  customer_name: string;
  engineer_name: string | null;
  engineer_title: string | null;
  project_type: string | null;
}

/** Tasks joined with the people and project they refer to. */
export function selectTasks(db: Kysely<Database>) {
  return db
    .selectFrom('tasks as t')
    .innerJoin('users as c', 'c.id', 't.customer_id')
    .leftJoin('users as e', 'e.id', 't.engineer_id')
    .leftJoin('projects as p', 'p.id', 't.project_id')
    .selectAll('t')
    .select([
      'c.name as customer_name',
      'e.name as engineer_name',
      'e.title as engineer_title',
      'p.type as project_type',
    ]);
}

export async function findTaskRecord(db: Kysely<Database>, id: string): Promise<TaskRecord | undefined> {
  return (await selectTasks(db).where('t.id', '=', id).executeTakeFirst()) as TaskRecord | undefined;
}

/** The task as the API shows it; `now` gives a running session its duration so far. */
export function toTask(r: TaskRecord, now: Date): Task {
  return {
    id: r.id,
    description: r.description,
    mode: r.mode,
    modeNote: r.mode_note,
    handoff:
      r.handoff_reason && r.handoff_at
        ? { reason: r.handoff_reason, summary: r.handoff_summary ?? '', at: r.handoff_at }
        : null,
    aiLed: isAiLed(r),
    status: r.status,
    driver: r.driver,
    customerId: r.customer_id,
    customerName: r.customer_name,
    projectId: r.project_id,
    projectType: (r.project_type as Task['projectType']) ?? null,
    engineer: r.engineer_id ? { id: r.engineer_id, name: r.engineer_name ?? '', title: r.engineer_title } : null,
    createdAt: r.created_at,
    claimedAt: r.claimed_at,
    endedAt: r.ended_at,
    endedBy: r.ended_by,
    endReason: r.end_reason,
    resolution: r.resolution,
    maxCredits: r.max_credits === null ? null : Number(r.max_credits),
    creditsUsed: Number(r.credits_used),
    durationSeconds: r.claimed_at ? sessionDurationSeconds(r.claimed_at, r.ended_at, now) : null,
    billedMinutes: Number(r.billed_minutes),
    rating: r.rating === null ? null : Number(r.rating),
    feedback: r.feedback,
  };
}
