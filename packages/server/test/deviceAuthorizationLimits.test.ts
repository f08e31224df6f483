import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SCOPE_CHARS } from '../src/auth/oauthRoutes';
import { FakeClock } from '../src/clock';
import { startTestServer, type TestServer } from './support/testServer';

const LIMIT = 4;
const WINDOW_SECONDS = 300;

/** `POST /oauth/device_authorization` needs no login, so it is limited per address and in size. */
describe.each(['sqlite', 'postgres'] as const)('device authorization limits on %s', (dialect) => {
  let server: TestServer;
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    server = await startTestServer({
      dialect,
      clock,
      config: { deviceAuthorizationsPerWindow: LIMIT, rateLimitWindowSeconds: WINDOW_SECONDS },
    });
  });
  afterAll(async () => server?.close());
  // Each test starts in a fresh rate-limit window.
  beforeEach(() => clock.advance(WINDOW_SECONDS * 1000));

  const start = (fields: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}/oauth/device_authorization`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'codevf-cli', ...fields }).toString(),
    });
  const deviceCodes = async () =>
    Number(
      (
        await server.ctx.storage.db
          .selectFrom('device_codes')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers 429 slow_down with Retry-After past the limit, and stores nothing more', async () => {
    const before = await deviceCodes();
    for (let i = 0; i < LIMIT; i++) expect((await start()).status).toBe(200);
    const flood = await Promise.all(Array.from({ length: 10 }, () => start()));
    for (const res of flood) {
      expect(res.status).toBe(429);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = await res.json();
      expect(body.error).toBe('slow_down');
      expect(body.error_description).toMatch(/Try again in \d+ seconds/);
    }
    expect(await deviceCodes()).toBe(before + LIMIT);
    // The next window lets the address in again.
    clock.advance(WINDOW_SECONDS * 1000);
    expect((await start()).status).toBe(200);
  });

  it('refuses an oversized or malformed scope with invalid_scope, and a huge body with 413', async () => {
    const before = await deviceCodes();
    const tooLong = await start({ scope: 'a'.repeat(MAX_SCOPE_CHARS + 1) });
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error).toBe('invalid_scope');
    const control = await start({ scope: 'read\u001b[8mwrite' });
    expect((await control.json()).error).toBe('invalid_scope');
    // The 64 KiB scope that used to be stored: refused before it is even parsed.
    const huge = await start({ scope: 'a'.repeat(64 * 1024) });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error).toBe('invalid_request');
    expect(await deviceCodes()).toBe(before);

    const fine = await start({ scope: `${'a'.repeat(MAX_SCOPE_CHARS - 6)} tasks` });
    expect(fine.status).toBe(200);
    const { device_code } = await fine.json();
    expect(typeof device_code).toBe('string');
    expect(await deviceCodes()).toBe(before + 1);
  });

  it('caps the token endpoint body too', async () => {
    const res = await fetch(`${server.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'codevf-cli', device_code: 'x'.repeat(8 * 1024) }).toString(),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe('invalid_request');
  });
});
