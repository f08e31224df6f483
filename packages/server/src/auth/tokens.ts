import type { TokenResponse } from '@codevf/protocol';
import type { Kysely } from 'kysely';
import type { AppContext } from '../context';
import { newId } from '../ids';
import type { Database, UserRow } from '../storage/schema';
import { announceAccessChange } from './accessChanges';
import { hashSecret, newSecret } from './secrets';

/**
 * OAuth access and refresh tokens. A login (one device-code exchange) starts a *family*;
 * each refresh rotates the refresh token inside the family. Presenting a refresh token that
 * was already rotated means it was copied: the whole family is revoked (RFC 6819 §5.2.2.3).
 */

const ACCESS_PREFIX = 'cvf_at_';
const REFRESH_PREFIX = 'cvf_rt_';

async function mintPair(db: Kysely<Database>, ctx: AppContext, familyId: string): Promise<TokenResponse> {
  const now = ctx.clock.now();
  const access = newSecret(ACCESS_PREFIX);
  const refresh = newSecret(REFRESH_PREFIX);
  const at = (s: number) => new Date(now.getTime() + s * 1000).toISOString();
  await db
    .insertInto('oauth_tokens')
    .values([
      {
        hash: hashSecret(access),
        family_id: familyId,
        kind: 'access',
        expires_at: at(ctx.config.accessTokenTtlSeconds),
        used_at: null,
        created_at: now.toISOString(),
      },
      {
        hash: hashSecret(refresh),
        family_id: familyId,
        kind: 'refresh',
        expires_at: at(ctx.config.refreshTokenTtlSeconds),
        used_at: null,
        created_at: now.toISOString(),
      },
    ])
    .execute();
  return {
    access_token: access,
    token_type: 'Bearer',
    expires_in: ctx.config.accessTokenTtlSeconds,
    refresh_token: refresh,
  };
}

/** Starts a new login for the user and returns its first token pair. */
export async function issueTokens(
  ctx: AppContext,
  userId: string,
  clientId: string,
  db: Kysely<Database> = ctx.storage.db,
): Promise<TokenResponse> {
  const familyId = newId();
  await db
    .insertInto('token_families')
    .values({
      id: familyId,
      user_id: userId,
      client_id: clientId,
      created_at: ctx.clock.now().toISOString(),
      revoked_at: null,
      revoked_reason: null,
    })
    .execute();
  return mintPair(db, ctx, familyId);
}

export type RefreshResult = { ok: true; tokens: TokenResponse } | { ok: false; reason: string };

export async function rotateRefreshToken(
  ctx: AppContext,
  refreshToken: string,
  clientId: string,
): Promise<RefreshResult> {
  const hash = hashSecret(refreshToken);
  const nowIso = ctx.clock.now().toISOString();
  const outcome = await ctx.storage.db
    .transaction()
    .execute(async (trx): Promise<RefreshResult | { reuse: string }> => {
      const row = await trx
        .selectFrom('oauth_tokens')
        .innerJoin('token_families', 'token_families.id', 'oauth_tokens.family_id')
        .innerJoin('users', 'users.id', 'token_families.user_id')
        .select([
          'oauth_tokens.family_id',
          'oauth_tokens.used_at',
          'oauth_tokens.expires_at',
          'token_families.revoked_at',
          'token_families.client_id',
          'users.disabled',
        ])
        .where('oauth_tokens.hash', '=', hash)
        .where('oauth_tokens.kind', '=', 'refresh')
        .executeTakeFirst();
      if (!row) return { ok: false, reason: 'unknown refresh token' };
      if (row.client_id !== clientId) return { ok: false, reason: 'refresh token was issued to another client' };
      if (row.revoked_at) return { ok: false, reason: 'login was revoked' };
      if (row.disabled) return { ok: false, reason: 'account disabled' };
      if (row.expires_at <= nowIso) return { ok: false, reason: 'refresh token expired' };
      // Conditional update: of two concurrent uses exactly one sees used_at IS NULL.
      const claimed = await trx
        .updateTable('oauth_tokens')
        .set({ used_at: nowIso })
        .where('hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (row.used_at || Number(claimed.numUpdatedRows) === 0) return { reuse: row.family_id };
      return { ok: true, tokens: await mintPair(trx, ctx, row.family_id) };
    });
  if ('reuse' in outcome) {
    await revokeFamily(ctx, outcome.reuse, 'refresh token reuse detected');
    ctx.log.warn({ familyId: outcome.reuse }, 'refresh token reuse: login revoked');
    return { ok: false, reason: 'refresh token was already used; the login has been revoked' };
  }
  return outcome;
}

export async function revokeFamily(ctx: AppContext, familyId: string, reason: string): Promise<void> {
  const res = await ctx.storage.db
    .updateTable('token_families')
    .set({ revoked_at: ctx.clock.now().toISOString(), revoked_reason: reason })
    .where('id', '=', familyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return;
  const family = await ctx.storage.db
    .selectFrom('token_families')
    .select('user_id')
    .where('id', '=', familyId)
    .executeTakeFirst();
  // Live sockets opened with this login close now, on every instance.
  if (family) await announceAccessChange(ctx, family.user_id);
}

/** RFC 7009: revoking either token of a login ends the whole login. Unknown tokens are ignored. */
export async function revokeToken(ctx: AppContext, token: string): Promise<void> {
  const row = await ctx.storage.db
    .selectFrom('oauth_tokens')
    .select('family_id')
    .where('hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (row) await revokeFamily(ctx, row.family_id, 'revoked by client');
}

/** Resolves a bearer access token to its user (and its login), or undefined if invalid, expired or revoked. */
export async function userForAccessToken(
  ctx: AppContext,
  token: string,
): Promise<{ user: UserRow; familyId: string } | undefined> {
  if (!token.startsWith(ACCESS_PREFIX)) return undefined;
  const row = await ctx.storage.db
    .selectFrom('oauth_tokens')
    .innerJoin('token_families', 'token_families.id', 'oauth_tokens.family_id')
    .innerJoin('users', 'users.id', 'token_families.user_id')
    .selectAll('users')
    .select('oauth_tokens.family_id')
    .where('oauth_tokens.hash', '=', hashSecret(token))
    .where('oauth_tokens.kind', '=', 'access')
    .where('oauth_tokens.expires_at', '>', ctx.clock.now().toISOString())
    .where('token_families.revoked_at', 'is', null)
    .where('users.disabled', '=', 0)
    .executeTakeFirst();
  if (!row) return undefined;
  const { family_id, ...user } = row;
  return { user, familyId: family_id };
}
