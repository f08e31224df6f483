import { sql } from 'kysely';
import type { Clock } from '../clock';
import { ApiError } from '../http/errors';
import type { Storage } from '../storage/storage';

/**
 * Fixed-window counters kept in the database, so every server instance shares them
 * (an attacker gains nothing by spreading attempts over instances).
 * Counts one attempt; `limited` when the key is over `limit` in the current window.
 */
export async function countAttempt(
  storage: Storage,
  clock: Clock,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<{ limited: boolean; retryAfterSeconds: number }> {
  const nowMs = clock.now().getTime();
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(nowMs / windowMs) * windowMs).toISOString();
  const row = await storage.db
    .insertInto('rate_limits')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ count: sql`rate_limits.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  // A new window began for this key: a cheap moment to drop windows that ended long ago.
  if (row.count === 1) await pruneRateLimits(storage, clock);
  const retryAfterSeconds = Math.ceil((Date.parse(windowStart) + windowMs - nowMs) / 1000);
  return { limited: row.count > limit, retryAfterSeconds };
}

/** `countAttempt` that throws `E_RATE_LIMITED` (with Retry-After) once over the limit. */
export async function hitRateLimit(
  storage: Storage,
  clock: Clock,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<void> {
  const { limited, retryAfterSeconds } = await countAttempt(storage, clock, key, limit, windowSeconds);
  if (limited) {
    throw new ApiError('E_RATE_LIMITED', `Too many attempts. Try again in ${retryAfterSeconds} seconds.`, {
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

/** Drops windows older than a day (called whenever a key starts a new window). */
export async function pruneRateLimits(storage: Storage, clock: Clock): Promise<void> {
  const cutoff = new Date(clock.now().getTime() - 24 * 3600 * 1000).toISOString();
  await storage.db.deleteFrom('rate_limits').where('window_start', '<', cutoff).execute();
}
