import type { AppContext } from '../context';

/**
 * Announces that a user's access changed — a login revoked, a console session signed out, the
 * account disabled or its role changed — so that every instance re-checks that user's live
 * sockets against the database and closes the ones that lost their access (live/accessCheck.ts).
 * Called after the change has committed. A lost announcement delays the close only until the
 * periodic access sweep.
 */
export async function announceAccessChange(ctx: Pick<AppContext, 'bus' | 'log'>, userId: string): Promise<void> {
  try {
    await ctx.bus.publishAccessChange(userId);
  } catch (err) {
    ctx.log.warn({ err, userId }, 'could not announce an access change; the access sweep will catch it');
  }
}
