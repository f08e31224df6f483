import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/testServer';

describe('POST /v1/auth/password (console)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { loginAttemptsPerWindow: 4 } });
  });
  afterAll(async () => server?.close());

  const change = (body: unknown, headers: Record<string, string>) =>
    fetch(`${server.baseUrl}/v1/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl, ...headers },
      body: JSON.stringify(body),
    });
  const me = (cookie: string) => fetch(`${server.baseUrl}/v1/me`, { headers: { cookie } });
  const signInStatus = async (email: string, password: string) =>
    (
      await fetch(`${server.baseUrl}/v1/auth/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      })
    ).status;

  it('changes the password, keeps this session and signs out the others', async () => {
    const u = await server.createUser({ password: 'old-password-1' });
    const here = await server.signIn(u.email, u.password);
    const elsewhere = await server.signIn(u.email, u.password);
    const cli = await server.issueTokens(u.id);
    const res = await change(
      { currentPassword: 'old-password-1', newPassword: 'new-password-2' },
      { cookie: here.cookie, 'x-csrf-token': here.csrfToken },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ otherSessionsEnded: 1 });
    expect((await me(here.cookie)).status).toBe(200);
    expect((await me(elsewhere.cookie)).status).toBe(401);
    // CLI logins are not password-based and stay.
    expect(
      (await fetch(`${server.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${cli.accessToken}` } })).status,
    ).toBe(200);
    expect(await signInStatus(u.email, 'new-password-2')).toBe(200);
    expect(await signInStatus(u.email, 'old-password-1')).toBe(401);
    expect(server.logs.join('\n')).not.toMatch(/old-password-1|new-password-2/);
  });

  it('refuses a wrong current password, a short new one, no CSRF token, a CLI token and no session', async () => {
    const u = await server.createUser({ password: 'current-pw-1' });
    const s = await server.signIn(u.email, u.password);
    const auth = { cookie: s.cookie, 'x-csrf-token': s.csrfToken };

    const wrong = await change({ currentPassword: 'not-it-at-all', newPassword: 'new-password-2' }, auth);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({
      code: 'E_VALIDATION',
      detail: 'The current password is wrong.',
      errors: [{ path: 'currentPassword' }],
    });

    const short = await change({ currentPassword: 'current-pw-1', newPassword: 'short' }, auth);
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ code: 'E_VALIDATION', errors: [{ path: 'newPassword' }] });

    const noCsrf = await change(
      { currentPassword: 'current-pw-1', newPassword: 'new-password-2' },
      { cookie: s.cookie },
    );
    expect(noCsrf.status).toBe(403);

    const { accessToken } = await server.issueTokens(u.id);
    const bearer = await change(
      { currentPassword: 'current-pw-1', newPassword: 'new-password-2' },
      { authorization: `Bearer ${accessToken}` },
    );
    expect(bearer.status).toBe(403);
    expect(await bearer.json()).toMatchObject({ code: 'E_FORBIDDEN' });

    const anonymous = await change({ currentPassword: 'current-pw-1', newPassword: 'new-password-2' }, {});
    expect(anonymous.status).toBe(401);

    // Nothing changed.
    expect(await signInStatus(u.email, 'current-pw-1')).toBe(200);
  });

  it('is rate limited like sign-in: guessing the current password stops at the limit', async () => {
    const u = await server.createUser({ password: 'current-pw-1' });
    const s = await server.signIn(u.email, u.password);
    const auth = { cookie: s.cookie, 'x-csrf-token': s.csrfToken };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await change({ currentPassword: `guess-${i}-xx`, newPassword: 'new-password-2' }, auth)).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    const right = await change({ currentPassword: 'current-pw-1', newPassword: 'new-password-2' }, auth);
    expect(right.status).toBe(429);
    expect(await right.json()).toMatchObject({ code: 'E_RATE_LIMITED' });
  });
});
