import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/clock';
import { startTestServer, type TestServer } from './support/testServer';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('device authorization edge cases', () => {
  let server: TestServer;
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    server = await startTestServer({ clock, config: { deviceCodeAttemptsPerWindow: 5, loginAttemptsPerWindow: 3 } });
  });
  afterAll(async () => server?.close());

  const post = (path: string, body: Record<string, string>) =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
  const start = async () => (await post('/oauth/device_authorization', { client_id: 'codevf-cli' })).json();
  const poll = async (deviceCode: string) => {
    const res = await post('/oauth/token', { grant_type: GRANT, device_code: deviceCode, client_id: 'codevf-cli' });
    return { status: res.status, body: await res.json() };
  };
  async function decide(decision: 'approve' | 'deny', userCode: string, who?: { cookie: string; csrfToken: string }) {
    const session = who ?? (await signedIn());
    return fetch(`${server.baseUrl}/v1/device/${decision}`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ user_code: userCode }),
    });
  }
  async function signedIn() {
    const u = await server.createUser();
    return server.signIn(u.email, u.password);
  }

  it('rejects unknown clients at both endpoints', async () => {
    const res = await post('/oauth/device_authorization', { client_id: 'evil' });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe('invalid_client');
    const t = await post('/oauth/token', { grant_type: GRANT, device_code: 'x', client_id: 'evil' });
    expect((await t.json()).error).toBe('invalid_client');
  });

  it('answers access_denied after the user denies', async () => {
    const da = await start();
    expect((await decide('deny', da.user_code)).status).toBe(200);
    expect((await poll(da.device_code)).body.error).toBe('access_denied');
  });

  it('answers expired_token after 10 minutes, and the page shows it expired', async () => {
    const da = await start();
    expect(da.expires_in).toBe(600);
    clock.advance(601_000);
    expect((await poll(da.device_code)).body.error).toBe('expired_token');
    const res = await decide('approve', da.user_code);
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toMatch(/expired/);
  });

  it('answers slow_down to a client polling too fast and remembers the longer interval', async () => {
    const da = await start();
    expect(da.interval).toBe(5);
    expect((await poll(da.device_code)).body.error).toBe('authorization_pending');
    clock.advance(1_000);
    expect((await poll(da.device_code)).body.error).toBe('slow_down');
    clock.advance(6_000); // 6 s < the new 10 s interval
    expect((await poll(da.device_code)).body.error).toBe('slow_down');
    clock.advance(15_000); // now ≥ 15 s
    expect((await poll(da.device_code)).body.error).toBe('authorization_pending');
  });

  it('issues tokens once: a reused device code is invalid_grant', async () => {
    const da = await start();
    expect((await decide('approve', da.user_code)).status).toBe(200);
    clock.advance(5_000);
    const first = await poll(da.device_code);
    expect(first.status).toBe(200);
    expect(first.body.token_type).toBe('Bearer');
    clock.advance(5_000);
    expect((await poll(da.device_code)).body.error).toBe('invalid_grant');
    // A decided request cannot be decided again.
    expect((await decide('deny', da.user_code)).status).toBe(409);
  });

  it('rejects a wrong or malformed code typed on the device page, then rate-limits guessing', async () => {
    const who = await signedIn();
    const lookup = (code: string) =>
      fetch(`${server.baseUrl}/v1/device?user_code=${encodeURIComponent(code)}`, { headers: { cookie: who.cookie } });
    const malformed = await lookup('hello');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).code).toBe('E_VALIDATION');
    const wrong = await lookup('BBBB-BBBB');
    expect(wrong.status).toBe(404);
    expect((await wrong.json()).code).toBe('E_NOT_FOUND');
    let limited: Response | undefined;
    for (let i = 0; i < 6 && !limited; i++) {
      const r = await lookup('CCCC-CCCC');
      if (r.status === 429) limited = r;
    }
    expect(limited?.status).toBe(429);
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await limited!.json()).code).toBe('E_RATE_LIMITED');
  });

  it('requires a signed-in user to look up or decide a code', async () => {
    const da = await start();
    const res = await fetch(`${server.baseUrl}/v1/device?user_code=${da.user_code}`);
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('E_UNAUTHORIZED');
  });

  it('drops rate-limit windows older than a day when a new window starts', async () => {
    const old = clock.now().toISOString();
    await server.ctx.storage.db
      .insertInto('rate_limits')
      .values({ key: 'stale', window_start: old, count: 3 })
      .execute();
    clock.advance(25 * 3600 * 1000);
    const who = await signedIn();
    await fetch(`${server.baseUrl}/v1/device?user_code=BBBB-BBBB`, { headers: { cookie: who.cookie } });
    const rows = await server.ctx.storage.db
      .selectFrom('rate_limits')
      .select('key')
      .where('key', '=', 'stale')
      .execute();
    expect(rows).toEqual([]);
  });

  it('rate-limits sign-in attempts per email and address', async () => {
    const u = await server.createUser();
    const attempt = (password: string) =>
      fetch(`${server.baseUrl}/v1/auth/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: u.email, password }),
      });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const blocked = await attempt(u.password);
    expect(blocked.status).toBe(429);
    clock.advance(301_000);
    expect((await attempt(u.password)).status).toBe(200);
  });
});
