import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema';

/** An instance whose heartbeat (and presence rows) were not refreshed for this long is dead. */
export const PRESENCE_STALE_MS = 30_000;
/** A dead instance's row is kept this long after its last sign of life, then pruned. */
const FORGET_DEAD_MS = 24 * 3600_000;

/**
 * Stores that this instance is alive now. A `lost_at` left by an instance that took it for
 * dead (its event loop stalled past PRESENCE_STALE_MS) is cleared: it is back, and its own
 * presence refresh records its sockets again.
 */
export async function beat(db: Kysely<Database>, instanceId: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('server_instances')
    .values({ id: instanceId, started_at: at, seen_at: at, lost_at: null })
    .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: at, lost_at: null }))
    .execute();
}

/**
 * When the latest of the `dead` instances was last known alive (ISO), for a participant whose
 * sockets were there. Fixed the first time an instance is asked about — the newest of its
 * heartbeat and its presence rows — and the same answer afterwards, whatever rows were retired
 * meanwhile: the departures of all its participants count from one moment.
 */
export async function lastSightOf(trx: Kysely<Database>, dead: readonly string[]): Promise<string | undefined> {
  let latest: string | undefined;
  for (const id of dead) {
    let fixed = await lostAt(trx, id);
    if (!fixed) {
      const beatRow = await trx
        .selectFrom('server_instances')
        .select('seen_at')
        .where('id', '=', id)
        .executeTakeFirst();
      const newestRow = await trx
        .selectFrom('task_presence')
        .select((eb) => eb.fn.max('seen_at').as('at'))
        .where('instance_id', '=', id)
        .executeTakeFirst();
      // ISO times: the greatest string is the latest.
      const at = [beatRow?.seen_at, newestRow?.at]
        .filter((t): t is string => !!t)
        .sort()
        .at(-1);
      if (!at) continue;
      // Whoever fixes it first wins; the others read what was fixed.
      await trx
        .insertInto('server_instances')
        .values({ id, started_at: at, seen_at: at, lost_at: at })
        .onConflict((oc) => oc.column('id').doUpdateSet({ lost_at: at }).where('server_instances.lost_at', 'is', null))
        .execute();
      fixed = (await lostAt(trx, id)) ?? at;
    }
    if (!latest || fixed > latest) latest = fixed;
  }
  return latest;
}

async function lostAt(trx: Kysely<Database>, id: string): Promise<string | null> {
  const row = await trx.selectFrom('server_instances').select('lost_at').where('id', '=', id).executeTakeFirst();
  return row?.lost_at ?? null;
}

/** The time before which a heartbeat or presence row is stale (its instance is dead). */
export function staleBefore(now: Date): string {
  return new Date(now.getTime() - PRESENCE_STALE_MS).toISOString();
}

/**
 * Deletes what dead instances left that nothing reads any more: their socket counts at once,
 * their heartbeat a day after it stopped once none of their presence rows is left.
 */
export async function pruneDeadInstances(db: Kysely<Database>, now: Date): Promise<void> {
  const cutoff = staleBefore(now);
  await db
    .deleteFrom('user_sockets')
    .where('instance_id', 'in', (eb) => eb.selectFrom('server_instances').select('id').where('seen_at', '<', cutoff))
    .execute();
  await db
    .deleteFrom('server_instances')
    .where('seen_at', '<', new Date(now.getTime() - FORGET_DEAD_MS).toISOString())
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom('task_presence').select('instance_id').whereRef('instance_id', '=', 'server_instances.id')),
      ),
    )
    .execute();
}
