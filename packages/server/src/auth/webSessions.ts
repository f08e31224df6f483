import { CSRF_COOKIE, SESSION_COOKIE } from '@codevf/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import type { UserRow } from '../storage/schema';
import { announceAccessChange } from './accessChanges';
import { hashSecret, newSecret } from './secrets';

/**
 * Console sign-in: an opaque session id in an HttpOnly, SameSite=Lax cookie (stored hashed),
 * plus a CSRF token. The CSRF token is also put in a readable cookie so a reloaded page can
 * find it; it must come back in the `x-csrf-token` header on every state-changing request
 * (double submit, checked against the server's copy in the session row).
 */

export async function startWebSession(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
): Promise<string> {
  const sessionId = newSecret('cvf_s_');
  const csrfToken = newSecret('');
  const now = ctx.clock.now();
  await ctx.storage.db
    .insertInto('web_sessions')
    .values({
      id: hashSecret(sessionId),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ctx.config.sessionTtlSeconds * 1000).toISOString(),
    })
    .execute();
  const secure = request.protocol === 'https';
  const common = { path: '/', sameSite: 'lax' as const, secure, maxAge: ctx.config.sessionTtlSeconds };
  reply.setCookie(SESSION_COOKIE, sessionId, { ...common, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, csrfToken, { ...common, httpOnly: false });
  return csrfToken;
}

export async function endWebSession(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const sid = request.cookies[SESSION_COOKIE];
  if (sid) {
    const session = await ctx.storage.db
      .deleteFrom('web_sessions')
      .where('id', '=', hashSecret(sid))
      .returning('user_id')
      .executeTakeFirst();
    // The console's live sockets of this session close now, on every instance.
    if (session) await announceAccessChange(ctx, session.user_id);
  }
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}

export async function userForSessionCookie(
  ctx: AppContext,
  sessionId: string,
): Promise<{ user: UserRow; csrfToken: string; sessionHash: string } | undefined> {
  const hash = hashSecret(sessionId);
  const row = await ctx.storage.db
    .selectFrom('web_sessions')
    .innerJoin('users', 'users.id', 'web_sessions.user_id')
    .selectAll('users')
    .select('web_sessions.csrf_token')
    .where('web_sessions.id', '=', hash)
    .where('web_sessions.expires_at', '>', ctx.clock.now().toISOString())
    .where('users.disabled', '=', 0)
    .executeTakeFirst();
  if (!row) return undefined;
  const { csrf_token, ...user } = row;
  return { user, csrfToken: csrf_token, sessionHash: hash };
}
