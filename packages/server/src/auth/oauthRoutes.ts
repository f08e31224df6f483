import { randomInt } from 'node:crypto';
import {
  CLI_CLIENT_ID,
  DEVICE_CODE_GRANT,
  type DeviceAuthorizationResponse,
  formatUserCode,
  type OAuthErrorName,
  SLOW_DOWN_INCREMENT_SECONDS,
  USER_CODE_ALPHABET,
  USER_CODE_LENGTH,
} from '@codevf/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../context';
import { publicUrl } from '../http/publicUrl';
import { newId } from '../ids';
import { isUniqueViolation } from '../storage/storage';
import { countAttempt } from './rateLimit';
import { hashSecret, newSecret } from './secrets';
import { issueTokens, revokeToken, rotateRefreshToken } from './tokens';

/** Clients we issue tokens to. Public clients (no secret), as RFC 8628 devices are. */
const CLIENTS: Record<string, { name: string }> = { [CLI_CLIENT_ID]: { name: 'CodeVF CLI' } };

export function clientName(clientId: string): string {
  return CLIENTS[clientId]?.name ?? clientId;
}

function oauthError(reply: FastifyReply, error: OAuthErrorName, description: string, status = 400) {
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/**
 * Every field these endpoints read is short (ids, codes, tokens), so their bodies are capped
 * far below the server-wide limit; anything larger is `invalid_request` with HTTP 413.
 */
const OAUTH_BODY_LIMIT = 4 * 1024;
/** We define no scopes; a requested one is stored for the record, so it is kept short. */
export const MAX_SCOPE_CHARS = 200;
/** RFC 6749 §3.3: space-separated tokens of printable ASCII other than `"` and `\`. */
const SCOPE_RE = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;

type Form = Record<string, string | string[] | undefined>;
const field = (body: unknown, name: string): string | undefined => {
  const v = (body as Form | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
};

/** Standard OAuth 2.0 endpoints (docs/PROTOCOL.md §1): RFC 8414 metadata, RFC 8628, RFC 6749 §6, RFC 7009. */
export async function oauthRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/.well-known/oauth-authorization-server', async () => {
    const base = publicUrl(app);
    return {
      issuer: base,
      device_authorization_endpoint: `${base}/oauth/device_authorization`,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      grant_types_supported: [DEVICE_CODE_GRANT, 'refresh_token'],
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: [],
    };
  });

  app.post('/oauth/device_authorization', { bodyLimit: OAUTH_BODY_LIMIT }, async (request, reply) => {
    // Unauthenticated and it writes a row: limited per address. RFC 8628 has no error for this
    // endpoint, so it answers like the token endpoint does to a hasty client (slow_down), with
    // the HTTP status and Retry-After of RFC 6585.
    const { limited, retryAfterSeconds } = await countAttempt(
      ctx.storage,
      ctx.clock,
      `device_authorization:${request.ip}`,
      ctx.config.deviceAuthorizationsPerWindow,
      ctx.config.rateLimitWindowSeconds,
    );
    if (limited) {
      reply.header('retry-after', String(retryAfterSeconds));
      return oauthError(
        reply,
        'slow_down',
        `Too many sign-in requests. Try again in ${retryAfterSeconds} seconds.`,
        429,
      );
    }
    const clientId = field(request.body, 'client_id');
    if (!clientId || !CLIENTS[clientId]) return oauthError(reply, 'invalid_client', 'Unknown client_id.', 401);
    const scope = field(request.body, 'scope');
    if (scope !== undefined && (scope.length > MAX_SCOPE_CHARS || !SCOPE_RE.test(scope))) {
      return oauthError(
        reply,
        'invalid_scope',
        `scope must be at most ${MAX_SCOPE_CHARS} characters of space-separated printable ASCII.`,
      );
    }
    const deviceCode = newSecret('cvf_dc_');
    const now = ctx.clock.now();
    const base = publicUrl(app);
    // Retry on the (rare) collision with a live user code.
    for (let attempt = 0; attempt < 5; attempt++) {
      const userCode = newUserCode();
      try {
        await ctx.storage.db
          .insertInto('device_codes')
          .values({
            id: newId(),
            device_code_hash: hashSecret(deviceCode),
            user_code: userCode,
            client_id: clientId,
            scope: scope ?? null,
            status: 'pending',
            user_id: null,
            interval_seconds: ctx.config.devicePollIntervalSeconds,
            last_polled_at: null,
            ip: request.ip,
            user_agent: request.headers['user-agent']?.slice(0, 300) ?? null,
            created_at: now.toISOString(),
            expires_at: new Date(now.getTime() + ctx.config.deviceCodeTtlSeconds * 1000).toISOString(),
          })
          .execute();
      } catch (err) {
        if (isUniqueViolation(err)) continue;
        throw err;
      }
      const shown = formatUserCode(userCode);
      const answer: DeviceAuthorizationResponse = {
        device_code: deviceCode,
        user_code: shown,
        verification_uri: `${base}/device`,
        verification_uri_complete: `${base}/device?user_code=${shown}`,
        expires_in: ctx.config.deviceCodeTtlSeconds,
        interval: ctx.config.devicePollIntervalSeconds,
      };
      return reply.header('cache-control', 'no-store').send(answer);
    }
    throw new Error('could not allocate a unique user code');
  });

  app.post('/oauth/token', { bodyLimit: OAUTH_BODY_LIMIT }, async (request, reply) => {
    const grantType = field(request.body, 'grant_type');
    const clientId = field(request.body, 'client_id');
    if (!clientId || !CLIENTS[clientId]) return oauthError(reply, 'invalid_client', 'Unknown client_id.', 401);

    if (grantType === 'refresh_token') {
      const refreshToken = field(request.body, 'refresh_token');
      if (!refreshToken) return oauthError(reply, 'invalid_request', 'refresh_token is required.');
      const result = await rotateRefreshToken(ctx, refreshToken, clientId);
      if (!result.ok) return oauthError(reply, 'invalid_grant', result.reason);
      return reply.header('cache-control', 'no-store').send(result.tokens);
    }

    if (grantType !== DEVICE_CODE_GRANT) {
      return oauthError(reply, 'unsupported_grant_type', `grant_type must be ${DEVICE_CODE_GRANT} or refresh_token.`);
    }
    const deviceCode = field(request.body, 'device_code');
    if (!deviceCode) return oauthError(reply, 'invalid_request', 'device_code is required.');
    const hash = hashSecret(deviceCode);
    const row = await ctx.storage.db
      .selectFrom('device_codes')
      .selectAll()
      .where('device_code_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.client_id !== clientId) return oauthError(reply, 'invalid_grant', 'Unknown device code.');
    if (row.status === 'used') return oauthError(reply, 'invalid_grant', 'This device code was already used.');
    const now = ctx.clock.now();
    if (row.expires_at <= now.toISOString()) return oauthError(reply, 'expired_token', 'The device code expired.');

    // RFC 8628 §3.5: a client polling faster than the interval gets slow_down, and the
    // interval grows by 5 s for every later poll of this code.
    const tooSoon =
      row.last_polled_at !== null && now.getTime() - Date.parse(row.last_polled_at) < row.interval_seconds * 1000;
    const interval = tooSoon ? row.interval_seconds + SLOW_DOWN_INCREMENT_SECONDS : row.interval_seconds;
    await ctx.storage.db
      .updateTable('device_codes')
      .set({ last_polled_at: now.toISOString(), interval_seconds: interval })
      .where('id', '=', row.id)
      .execute();
    if (tooSoon) return oauthError(reply, 'slow_down', `Poll at most every ${interval} seconds.`);
    if (row.status === 'pending') return oauthError(reply, 'authorization_pending', 'The user has not approved yet.');
    if (row.status === 'denied') return oauthError(reply, 'access_denied', 'The user denied the request.');

    // Approved: exchange exactly once, even if two polls race.
    const tokens = await ctx.storage.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('device_codes')
        .set({ status: 'used' })
        .where('id', '=', row.id)
        .where('status', '=', 'approved')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0 || !row.user_id) return undefined;
      return issueTokens(ctx, row.user_id, clientId, trx);
    });
    if (!tokens) return oauthError(reply, 'invalid_grant', 'This device code was already used.');
    return reply.header('cache-control', 'no-store').send(tokens);
  });

  app.post('/oauth/revoke', { bodyLimit: OAUTH_BODY_LIMIT }, async (request, reply) => {
    const token = field(request.body, 'token');
    if (!token) return oauthError(reply, 'invalid_request', 'token is required.');
    await revokeToken(ctx, token);
    // RFC 7009 §2.2: 200 whether or not the token was known.
    return reply.code(200).header('cache-control', 'no-store').send({});
  });
}
