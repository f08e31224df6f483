import type { Kysely } from 'kysely';
import { AI_USER_ID } from '../ai/aiUser';
import type { Database } from '../storage/schema';

/** Seconds per claim assumed before any task has ever been claimed. */
export const DEFAULT_CLAIM_PACE_SECONDS = 120;
/** How many recent claims the pace is measured over, and how far back they may lie. */
const PACE_SAMPLE = 20;
const PACE_WINDOW_MS = 24 * 3600 * 1000;

export interface QueueSlot {
  /** 1 = next to be claimed. */
  queuePosition: number;
  estimatedWaitSeconds: number;
}

/**
 * Recent seconds between claims — how fast engineers are taking tasks off the queue. With one
 * claim in the window its waiting time stands in; with none, a default. Clamped so a burst of
 * claims in the same second, or one stale claim, does not promise nonsense.
 */
export async function claimPaceSeconds(db: Kysely<Database>, now: Date): Promise<number> {
  const since = new Date(now.getTime() - PACE_WINDOW_MS).toISOString();
  const rows = await db
    .selectFrom('tasks')
    .select(['created_at', 'claimed_at'])
    .where('claimed_at', 'is not', null)
    .where('claimed_at', '>=', since)
    // Engineers' claims only: the AI claims at creation, and a handed-over task keeps the AI's claim time.
    .where('engineer_id', '!=', AI_USER_ID)
    .where('handoff_at', 'is', null)
    .orderBy('claimed_at', 'desc')
    .limit(PACE_SAMPLE)
    .execute();
  const newest = rows[0];
  const oldest = rows[rows.length - 1];
  let pace = DEFAULT_CLAIM_PACE_SECONDS;
  if (newest?.claimed_at && oldest?.claimed_at) {
    pace =
      rows.length >= 2
        ? (Date.parse(newest.claimed_at) - Date.parse(oldest.claimed_at)) / 1000 / (rows.length - 1)
        : (Date.parse(newest.claimed_at) - Date.parse(newest.created_at)) / 1000;
  }
  return Math.min(3600, Math.max(5, pace));
}

export function estimateWaitSeconds(position: number, paceSeconds: number): number {
  return Math.round(position * paceSeconds);
}

/** Queued tasks, first come first served (ties broken by id so every instance agrees). */
export async function queuedTaskIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('tasks')
    .select('id')
    .where('status', '=', 'queued')
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return rows.map((r) => r.id);
}

/** Position and estimated wait of one queued task; null when it is not queued. */
export async function queueSlot(
  db: Kysely<Database>,
  task: { id: string; created_at: string },
  now: Date,
): Promise<QueueSlot> {
  const ahead = await db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'queued')
    .where((eb) =>
      eb.or([
        eb('created_at', '<', task.created_at),
        eb.and([eb('created_at', '=', task.created_at), eb('id', '<', task.id)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  const position = Number(ahead.n) + 1;
  const pace = await claimPaceSeconds(db, now);
  return { queuePosition: position, estimatedWaitSeconds: estimateWaitSeconds(position, pace) };
}
