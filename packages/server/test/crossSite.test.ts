import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/testServer';

const EVIL = 'https://evil.example';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Login CSRF and its kin: a hostile page can make the victim's browser post a form to the server
 * (cookies attached, or none yet as in sign-in). The browser then sends `Origin` and
 * `Sec-Fetch-Site`; the server must refuse whatever is not from its own origin.
 */
describe('cross-site browser requests', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { selfSignup: true } });
  });
  afterAll(async () => server?.close());

  const formPost = (path: string, body: Record<string, string>, headers: Record<string, string>) =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body).toString(),
    });

  async function expectCrossSite(res: Response) {
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await res.json()).code).toBe('E_CROSS_SITE');
  }

  const countUsers = async (email: string) =>
    (await server.ctx.storage.db.selectFrom('users').select('id').where('email', '=', email).execute()).length;

  it('refuses a sign-in form posted from another origin, or marked cross-site', async () => {
    const u = await server.createUser();
    const credentials = { email: u.email, password: u.password };
    await expectCrossSite(await formPost('/v1/auth/session', credentials, { origin: EVIL }));
    await expectCrossSite(await formPost('/v1/auth/session', credentials, { 'sec-fetch-site': 'cross-site' }));
    // A sibling site is another origin too.
    await expectCrossSite(await formPost('/v1/auth/session', credentials, { 'sec-fetch-site': 'same-site' }));
    // Sandboxed frames and some redirects send the opaque origin.
    await expectCrossSite(await formPost('/v1/auth/session', credentials, { origin: 'null' }));
    // Same scheme and host, other port: another origin.
    const otherPort = new URL(server.baseUrl);
    otherPort.port = String(Number(otherPort.port) + 1);
    await expectCrossSite(await formPost('/v1/auth/session', credentials, { origin: otherPort.origin }));
    // The very same form from the console's own origin signs in.
    const own = await formPost('/v1/auth/session', credentials, {
      origin: server.baseUrl,
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(200);
    expect(own.headers.getSetCookie().join(';')).toMatch(/codevf_session=/);
  });

  it('lets non-browser clients (no Origin, no Sec-Fetch-Site) sign in', async () => {
    const u = await server.createUser();
    const res = await formPost('/v1/auth/session', { email: u.email, password: u.password }, {});
    expect(res.status).toBe(200);
  });

  it('refuses a cross-site sign-up and creates no account', async () => {
    const email = `victim-${Date.now()}@example.test`;
    const body = { email, name: 'Attacker', password: 'attacker-password' };
    await expectCrossSite(await formPost('/v1/auth/signup', body, { origin: EVIL }));
    await expectCrossSite(await formPost('/v1/auth/signup', body, { 'sec-fetch-site': 'cross-site' }));
    expect(await countUsers(email)).toBe(0);
    const own = await formPost('/v1/auth/signup', body, { origin: server.baseUrl, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(201);
    expect(await countUsers(email)).toBe(1);
  });

  it('refuses every state-changing route cross-site, even with a valid session cookie and CSRF token', async () => {
    const admin = await server.createUser({ role: 'admin' });
    const { cookie, csrfToken } = await server.signIn(admin.email, admin.password);
    const routes = server.app.routeTable.filter((r) => UNSAFE.has(r.method));
    // A sanity floor: the sweep must actually cover the API (sign-in, sign-up, tasks, projects…).
    expect(routes.length).toBeGreaterThanOrEqual(15);
    const hostileHeaders: Record<string, string>[] = [{ origin: EVIL }, { 'sec-fetch-site': 'cross-site' }];
    for (const route of routes) {
      const path = route.url.replace(/:[A-Za-z_]+/g, 'x1').replace(/\*/g, 'x');
      for (const hostile of hostileHeaders) {
        const res = await fetch(`${server.baseUrl}${path}`, {
          method: route.method,
          headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json', ...hostile },
          body: '{}',
        });
        expect(res.status, `${route.method} ${route.url} ${JSON.stringify(hostile)}`).toBe(403);
        expect((await res.json()).code, `${route.method} ${route.url}`).toBe('E_CROSS_SITE');
      }
    }
    // The session survived all of that, and signs out from its own origin.
    const out = await fetch(`${server.baseUrl}/v1/auth/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrfToken, origin: server.baseUrl, 'sec-fetch-site': 'same-origin' },
    });
    expect(out.status).toBe(204);
  });

  it('leaves bearer-token requests alone, whatever their Origin', async () => {
    const u = await server.createUser();
    const { accessToken } = await server.issueTokens(u.id);
    const res = await fetch(`${server.baseUrl}/v1/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', origin: EVIL },
      body: '{}',
    });
    // Reached the route: the body is what is wrong.
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('E_VALIDATION');
  });

  it('logs the refusal', async () => {
    await formPost('/v1/auth/session', { email: 'x@example.test', password: 'whatever1' }, { origin: EVIL });
    expect(server.logs.some((l) => l.includes('cross-site request refused') && l.includes(EVIL))).toBe(true);
  });
});
