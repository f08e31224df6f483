import { ChangePasswordBody, type PasswordChanged, type SessionInfo, SignInBody, SignUpBody } from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { parseWith } from '../http/validate';
import { createUser, findUserByEmail, findUserById, setPassword, toMe } from '../users/users';
import { announceAccessChange } from './accessChanges';
import { meOf, requireUser } from './guards';
import { verifyPassword } from './passwords';
import { hitRateLimit } from './rateLimit';
import { endWebSession, startWebSession } from './webSessions';

/** Console sign-in, sign-out, optional self sign-up (customers only), and `GET /v1/me`. */
export async function sessionRoutes(app: FastifyInstance, ctx: AppContext) {
  app.post('/v1/auth/session', async (request, reply) => {
    const body = parseWith(SignInBody, request.body);
    await hitRateLimit(
      ctx.storage,
      ctx.clock,
      `login:${body.email}:${request.ip}`,
      ctx.config.loginAttemptsPerWindow,
      ctx.config.rateLimitWindowSeconds,
    );
    const user = await findUserByEmail(ctx.storage, body.email);
    const ok = await verifyPassword(body.password, user?.password_hash ?? null);
    // One message for unknown email and wrong password: do not reveal which accounts exist.
    if (!user || !ok) throw new ApiError('E_UNAUTHORIZED', 'Wrong email or password.');
    if (user.disabled) throw new ApiError('E_FORBIDDEN', 'This account is disabled. Ask an admin.');
    const csrfToken = await startWebSession(ctx, request, reply, user.id);
    request.log.info({ userId: user.id }, 'signed in');
    const answer: SessionInfo = { user: toMe(user), csrfToken };
    return answer;
  });

  app.delete('/v1/auth/session', async (request, reply) => {
    await requireUser(request); // also checks the CSRF token
    await endWebSession(ctx, request, reply);
    return reply.code(204).send();
  });

  /** Lets a reloaded console page learn whether it is signed in, and its CSRF token. */
  app.get('/v1/auth/session', async (request) => {
    const user = await requireUser(request);
    if (user.via !== 'cookie') throw new ApiError('E_FORBIDDEN', 'Only console sessions have a CSRF token.');
    const answer: SessionInfo = { user: meOf(user), csrfToken: user.csrfToken ?? '' };
    return answer;
  });

  /**
   * A signed-in console user changes their own password. The current password is required (a
   * session left open on a shared machine must not be enough), attempts are rate limited like
   * sign-in, and every other console session of the account ends.
   */
  app.post('/v1/auth/password', async (request) => {
    const user = await requireUser(request); // also checks the CSRF token
    if (user.grant.kind !== 'webSession')
      throw new ApiError('E_FORBIDDEN', 'Change the password in the console, signed in with it.');
    const body = parseWith(ChangePasswordBody, request.body);
    await hitRateLimit(
      ctx.storage,
      ctx.clock,
      `password:${user.id}:${request.ip}`,
      ctx.config.loginAttemptsPerWindow,
      ctx.config.rateLimitWindowSeconds,
    );
    const row = await findUserById(ctx.storage, user.id);
    if (!row || !(await verifyPassword(body.currentPassword, row.password_hash))) {
      throw new ApiError('E_VALIDATION', 'The current password is wrong.', {
        fieldErrors: [{ path: 'currentPassword', message: 'wrong password' }],
      });
    }
    const ended = await setPassword(ctx.storage, user.id, body.newPassword, {
      keepSessionHash: user.grant.sessionHash,
    });
    // Live console sockets of the ended sessions close now, on every instance.
    if (ended > 0) await announceAccessChange(ctx, user.id);
    request.log.info({ userId: user.id, otherSessionsEnded: ended }, 'password changed');
    const answer: PasswordChanged = { otherSessionsEnded: ended };
    return answer;
  });

  app.post('/v1/auth/signup', async (request, reply) => {
    if (!ctx.config.selfSignup)
      throw new ApiError('E_FORBIDDEN', 'Self sign-up is disabled on this server. Ask an admin for an account.');
    const body = parseWith(SignUpBody, request.body);
    await hitRateLimit(
      ctx.storage,
      ctx.clock,
      `signup:${request.ip}`,
      ctx.config.loginAttemptsPerWindow,
      ctx.config.rateLimitWindowSeconds,
    );
    const user = await createUser(ctx.storage, ctx.clock, { ...body, role: 'customer' });
    const csrfToken = await startWebSession(ctx, request, reply, user.id);
    const answer: SessionInfo = { user: toMe(user), csrfToken };
    return reply.code(201).send(answer);
  });

  app.get('/v1/me', async (request) => {
    const user = await requireUser(request);
    return meOf(user);
  });
}
