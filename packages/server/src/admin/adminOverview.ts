import type { AdminEngineer, AdminTaskList, AdminTasksQuery } from '@codevf/protocol';
import type { z } from 'zod';
import { AI_USER_ID } from '../ai/aiUser';
import type { AppContext } from '../context';
import { selectTasks, type TaskRecord, toTask } from '../tasks/taskView';

/** The query as parsed (defaults applied). */
type Query = z.output<typeof AdminTasksQuery>;

/** The first instant after day `d` (`YYYY-MM-DD`, UTC), as stored times are written. */
function dayAfter(d: string): string {
  return new Date(Date.parse(`${d}T00:00:00.000Z`) + 86_400_000).toISOString();
}

/** One page of every task, newest first, with the filters of the admin overview. */
export async function listAdminTasks(ctx: AppContext, query: Query): Promise<AdminTaskList> {
  const db = ctx.storage.db;
  // The same filters for the page and the count.
  const filtered = <Q extends ReturnType<typeof selectTasks>>(q: Q): Q => {
    let f = q;
    if (query.status) f = f.where('t.status', '=', query.status) as Q;
    if (query.mode) f = f.where('t.mode', '=', query.mode) as Q;
    if (query.engineerId) f = f.where('t.engineer_id', '=', query.engineerId) as Q;
    if (query.from) f = f.where('t.created_at', '>=', `${query.from}T00:00:00.000Z`) as Q;
    if (query.to) f = f.where('t.created_at', '<', dayAfter(query.to)) as Q;
    return f;
  };
  const rows = (await filtered(selectTasks(db))
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(query.limit)
    .offset(query.offset)
    .execute()) as TaskRecord[];
  const counted = await filtered(selectTasks(db))
    .clearSelect()
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirst();
  const now = ctx.clock.now();
  return {
    tasks: rows.map((r) => toTask(r, now)),
    total: Number(counted?.n ?? 0),
    limit: query.limit,
    offset: query.offset,
  };
}

/** The median of whole seconds, or null for none (the lower middle of an even count, rounded). */
export function medianSeconds(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round(m);
}

/**
 * Every engineer account (the AI participant is not one) with their figures, computed from
 * their tasks: sessions, active ones, ratings and their average, and the median time to claim.
 */
export async function listAdminEngineers(ctx: AppContext): Promise<AdminEngineer[]> {
  const db = ctx.storage.db;
  const engineers = await db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'title', 'disabled'])
    .where('role', '=', 'engineer')
    .where('id', '!=', AI_USER_ID)
    .orderBy('name')
    .orderBy('email')
    .execute();
  const tasks = await db
    .selectFrom('tasks')
    .select(['engineer_id', 'status', 'created_at', 'claimed_at', 'rating', 'handoff_at'])
    .where('engineer_id', 'is not', null)
    .where('engineer_id', '!=', AI_USER_ID)
    .execute();
  const byEngineer = new Map<string, typeof tasks>();
  for (const t of tasks) {
    const id = t.engineer_id as string;
    byEngineer.set(id, [...(byEngineer.get(id) ?? []), t]);
  }
  return engineers.map((e) => {
    const mine = byEngineer.get(e.id) ?? [];
    const ratings = mine.flatMap((t) => (t.rating === null ? [] : [Number(t.rating)]));
    // A handed-over task keeps the AI's claim time, which says nothing about this engineer.
    const claimWaits = mine.flatMap((t) =>
      t.claimed_at && !t.handoff_at ? [(Date.parse(t.claimed_at) - Date.parse(t.created_at)) / 1000] : [],
    );
    return {
      id: e.id,
      name: e.name,
      email: e.email,
      title: e.title,
      disabled: Boolean(e.disabled),
      sessions: mine.length,
      activeSessions: mine.filter((t) => t.status === 'active').length,
      ratings: ratings.length,
      averageRating:
        ratings.length === 0 ? null : Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100,
      medianClaimSeconds: medianSeconds(claimWaits),
    };
  });
}
