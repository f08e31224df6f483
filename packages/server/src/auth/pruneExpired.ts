import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { pruneRateLimits } from './rateLimit';

/** Rows deleted by one run, per table (rate-limit windows are not counted). */
export interface PrunedCounts {
  deviceCodes: number;
  webSessions: number;
  oauthTokens: number;
  tokenFamilies: number;
}

const HOUR_MS = 3600 * 1000;

/**
 * Deletes sign-in rows that can no longer be used, so that unauthenticated endpoints
 * (device authorization above all) cannot grow the database without bound.
 *
 * - device codes an hour after they expired (until then the approval page can still say
 *   "expired" instead of "no such code");
 * - web sessions and OAuth tokens once expired: they are refused from that instant anyway.
 *   A rotated (used) refresh token is kept until it expires, because presenting it again is
 *   how a stolen copy is detected;
 * - every token of a revoked login, then logins with no token left (an hour after they were
 *   created, so a login whose tokens are being minted right now is not taken);
 * - rate-limit windows older than a day.
 */
export async function pruneExpired(ctx: AppContext): Promise<PrunedCounts> {
  const db = ctx.storage.db;
  const nowMs = ctx.clock.now().getTime();
  const now = new Date(nowMs).toISOString();
  const hourAgo = new Date(nowMs - HOUR_MS).toISOString();
  const count = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);

  const deviceCodes = count(await db.deleteFrom('device_codes').where('expires_at', '<', hourAgo).executeTakeFirst());
  const webSessions = count(await db.deleteFrom('web_sessions').where('expires_at', '<=', now).executeTakeFirst());
  const oauthTokens = count(
    await db
      .deleteFrom('oauth_tokens')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', now),
          eb('family_id', 'in', eb.selectFrom('token_families').select('id').where('revoked_at', 'is not', null)),
        ]),
      )
      .executeTakeFirst(),
  );
  const tokenFamilies = count(
    await db
      .deleteFrom('token_families')
      .where('created_at', '<', hourAgo)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('oauth_tokens')
              .select('oauth_tokens.hash')
              .whereRef('oauth_tokens.family_id', '=', 'token_families.id'),
          ),
        ),
      )
      .executeTakeFirst(),
  );
  await pruneRateLimits(ctx.storage, ctx.clock);
  return { deviceCodes, webSessions, oauthTokens, tokenFamilies };
}

/**
 * Runs `pruneExpired` when the server is ready and then every `pruneIntervalSeconds`, on every
 * instance (deleting is idempotent). A tick that finds the previous run still going is skipped;
 * close waits for a run in progress, so the database is never closed under it.
 */
export async function pruneExpiredJob(app: FastifyInstance, ctx: AppContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = (async () => {
      try {
        const pruned = await pruneExpired(ctx);
        if (Object.values(pruned).some((n) => n > 0)) ctx.log.info({ pruned }, 'expired sign-in rows pruned');
      } catch (err) {
        ctx.log.warn({ err }, 'pruning expired sign-in rows failed');
      } finally {
        running = undefined;
      }
    })();
  };
  app.addHook('onReady', async () => {
    run();
    timer = setInterval(run, ctx.config.pruneIntervalSeconds * 1000);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}
