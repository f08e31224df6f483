import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pruneExpired } from '../src/auth/pruneExpired';
import { hashSecret } from '../src/auth/secrets';
import { revokeFamily } from '../src/auth/tokens';
import { FakeClock } from '../src/clock';
import { startTestServer, type TestServer } from './support/testServer';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

describe.each(['sqlite', 'postgres'] as const)('pruning dead sign-in rows on %s', (dialect) => {
  let server: TestServer;
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    server = await startTestServer({
      dialect,
      clock,
      config: { accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: DAY / 1000, sessionTtlSeconds: HOUR / 1000 },
    });
  });
  afterAll(async () => server?.close());

  const db = () => server.ctx.storage.db;
  const form = (path: string, body: Record<string, string>) =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
  const startDeviceLogin = async () =>
    (await (await form('/oauth/device_authorization', { client_id: 'codevf-cli' })).json()) as { user_code: string };
  const familyOf = async (accessToken: string) => {
    const row = await db()
      .selectFrom('oauth_tokens')
      .select('family_id')
      .where('hash', '=', hashSecret(accessToken))
      .executeTakeFirst();
    return row?.family_id;
  };
  const tokensOf = async (familyId: string) =>
    (await db().selectFrom('oauth_tokens').select('hash').where('family_id', '=', familyId).execute()).length;
  const familyIds = async () => (await db().selectFrom('token_families').select('id').execute()).map((r) => r.id);
  const userCodes = async () =>
    (await db().selectFrom('device_codes').select('user_code').execute()).map((r) => r.user_code);
  const sessions = async () => (await db().selectFrom('web_sessions').select('id').execute()).length;
  const me = (headers: Record<string, string>) => fetch(`${server.baseUrl}/v1/me`, { headers });

  it('deletes expired device codes, sessions and tokens and revoked logins, and keeps live ones working', async () => {
    const user = await server.createUser();
    // Yesterday's rows: a whole login, a console session and an abandoned `codevf login`.
    const old = await server.issueTokens(user.id);
    const oldFamily = (await familyOf(old.accessToken))!;
    await server.signIn(user.email, user.password);
    await startDeviceLogin();
    clock.advance(2 * DAY);

    // Today's rows: a login refreshed once (its first refresh token is kept for reuse
    // detection), a revoked login, a session and a pending device login.
    const live = await server.issueTokens(user.id);
    const liveFamily = (await familyOf(live.accessToken))!;
    const rotated = await form('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: live.refreshToken,
      client_id: 'codevf-cli',
    });
    expect(rotated.status).toBe(200);
    const { access_token: liveAccess } = await rotated.json();
    const revoked = await server.issueTokens(user.id);
    const revokedFamily = (await familyOf(revoked.accessToken))!;
    await revokeFamily(server.ctx, revokedFamily, 'test');
    const { cookie } = await server.signIn(user.email, user.password);
    const pending = await startDeviceLogin();

    expect(await sessions()).toBe(2);
    expect(await userCodes()).toHaveLength(2);
    expect(await tokensOf(oldFamily)).toBe(2);

    const pruned = await pruneExpired(server.ctx);
    expect(pruned).toEqual({ deviceCodes: 1, webSessions: 1, oauthTokens: 4, tokenFamilies: 1 });
    expect(await userCodes()).toEqual([pending.user_code.replace('-', '')]);
    expect(await sessions()).toBe(1);
    expect(await tokensOf(oldFamily)).toBe(0);
    expect(await tokensOf(revokedFamily)).toBe(0);
    expect(await tokensOf(liveFamily)).toBe(4);
    // The revoked login's row goes once it is an hour old (its tokens could still be being minted).
    expect((await familyIds()).sort()).toEqual([liveFamily, revokedFamily].sort());

    // What was kept still works.
    expect((await me({ cookie })).status).toBe(200);
    expect((await me({ authorization: `Bearer ${liveAccess}` })).status).toBe(200);
    const info = await fetch(`${server.baseUrl}/v1/device?user_code=${pending.user_code}`, { headers: { cookie } });
    expect((await info.json()).status).toBe('pending');

    // A second run finds nothing more to do.
    expect(await pruneExpired(server.ctx)).toEqual({
      deviceCodes: 0,
      webSessions: 0,
      oauthTokens: 0,
      tokenFamilies: 0,
    });

    // Two hours on: the access tokens (15 min) and the session (1 h) are gone; the refresh
    // tokens (1 day) and their login stay; the revoked login's row is now dropped too; the
    // pending code expired over an hour ago.
    clock.advance(2 * HOUR);
    expect(await pruneExpired(server.ctx)).toEqual({
      deviceCodes: 1,
      webSessions: 1,
      oauthTokens: 2,
      tokenFamilies: 1,
    });
    expect(await familyIds()).toEqual([liveFamily]);
    expect(await tokensOf(liveFamily)).toBe(2);
    // The rotated refresh token was kept: presenting it again is still caught as reuse.
    const reuse = await form('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: live.refreshToken,
      client_id: 'codevf-cli',
    });
    expect((await reuse.json()).error_description).toMatch(/already used/);
  });
});

describe('the pruning job', () => {
  it('is started by the server and runs on its interval', async () => {
    const server = await startTestServer({ config: { pruneIntervalSeconds: 0.05 } });
    try {
      const user = await server.createUser();
      const past = new Date(Date.now() - HOUR).toISOString();
      await server.ctx.storage.db
        .insertInto('web_sessions')
        .values({ id: 'expired-session', user_id: user.id, csrf_token: 'x', created_at: past, expires_at: past })
        .execute();
      await vi.waitFor(
        async () => {
          const left = await server.ctx.storage.db
            .selectFrom('web_sessions')
            .select('id')
            .where('id', '=', 'expired-session')
            .execute();
          expect(left).toEqual([]);
        },
        { timeout: 5_000, interval: 50 },
      );
    } finally {
      await server.close();
    }
  });
});
