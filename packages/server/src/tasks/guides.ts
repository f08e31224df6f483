import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema';

/**
 * Vibe mode: engineers who guide an AI-led task without taking it over (guideActions.ts). A
 * guide reads the whole session and writes guidance the AI takes as instructions; the rows go
 * when the AI leaves.
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
