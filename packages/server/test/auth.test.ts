import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/testServer';

describe.each(['sqlite', 'postgres'] as const)('accounts and OAuth on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect, config: { devicePollIntervalSeconds: 1 } });
  });
  afterAll(async () => server?.close());

  const form = (body: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });

  it('serves RFC 8414 metadata pointing at its own endpoints', async () => {
    const res = await fetch(`${server.baseUrl}/.well-known/oauth-authorization-server`);
    const meta = await res.json();
    expect(meta.issuer).toBe(server.baseUrl);
    expect(meta.token_endpoint).toBe(`${server.baseUrl}/oauth/token`);
    expect(meta.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:device_code');
  });

  it('runs the device flow end to end', async () => {
    const user = await server.createUser({ role: 'customer' });
    const da = await (
      await fetch(`${server.baseUrl}/oauth/device_authorization`, form({ client_id: 'codevf-cli' }))
    ).json();
    expect(da.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    const poll = () =>
      fetch(
        `${server.baseUrl}/oauth/token`,
        form({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          device_code: da.device_code,
          client_id: 'codevf-cli',
        }),
      );
    const pending = await poll();
    expect(pending.status).toBe(400);
    expect((await pending.json()).error).toBe('authorization_pending');
    const { cookie, csrfToken } = await server.signIn(user.email, user.password);
    const info = await (
      await fetch(`${server.baseUrl}/v1/device?user_code=${da.user_code.toLowerCase()}`, { headers: { cookie } })
    ).json();
    expect(info.status).toBe('pending');
    const approve = await fetch(`${server.baseUrl}/v1/device/approve`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ user_code: da.user_code }),
    });
    expect(approve.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const ok = await poll();
    expect(ok.status).toBe(200);
    const tokens = await ok.json();
    const me = await (
      await fetch(`${server.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    ).json();
    expect(me.email).toBe(user.email);
    await new Promise((r) => setTimeout(r, 1100));
    const again = await poll();
    expect((await again.json()).error).toBe('invalid_grant');
  });

  it('refuses a cookie-authenticated POST without the CSRF token', async () => {
    const user = await server.createUser();
    const { cookie } = await server.signIn(user.email, user.password);
    const res = await fetch(`${server.baseUrl}/v1/device/approve`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ user_code: 'BCDF-GHJK' }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('E_FORBIDDEN');
  });

  it('rotates refresh tokens and revokes the family on reuse', async () => {
    const user = await server.createUser();
    const t = await server.issueTokens(user.id);
    const refresh = (rt: string) =>
      fetch(
        `${server.baseUrl}/oauth/token`,
        form({ grant_type: 'refresh_token', refresh_token: rt, client_id: 'codevf-cli' }),
      );
    const r1 = await refresh(t.refreshToken);
    expect(r1.status).toBe(200);
    const t2 = await r1.json();
    const reuse = await refresh(t.refreshToken);
    expect((await reuse.json()).error).toBe('invalid_grant');
    const r3 = await refresh(t2.refresh_token);
    expect((await r3.json()).error).toBe('invalid_grant');
    const me = await fetch(`${server.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${t2.access_token}` } });
    expect(me.status).toBe(401);
    expect((await me.json()).code).toBe('E_UNAUTHORIZED');
  });

  it('answers malformed input with problem details, never a 500', async () => {
    const bad = await fetch(`${server.baseUrl}/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await bad.json()).code).toBe('E_VALIDATION');
    const big = await fetch(`${server.baseUrl}/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2_000_000) }),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).code).toBe('E_TOO_LARGE');
    const types = await fetch(`${server.baseUrl}/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 42, password: [] }),
    });
    expect((await types.json()).code).toBe('E_VALIDATION');
    expect(server.logs.join('')).not.toContain('"statusCode":500');
  });
});
