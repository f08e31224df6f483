import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config';
import { startTestServer, type TestServer } from './support/testServer';

describe('CODEVF_TRUST_PROXY', () => {
  it('parses false, true and proxy addresses; refuses what would silently trust nobody', () => {
    expect(resolveConfig({}, {}).trustProxy).toBe(false);
    expect(resolveConfig({}, { CODEVF_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(resolveConfig({}, { CODEVF_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
    for (const bad of ['yes', '2', 'proxy.internal'])
      expect(() => resolveConfig({}, { CODEVF_TRUST_PROXY: bad }), bad).toThrow(/CODEVF_TRUST_PROXY must be/);
  });

  for (const trusted of [false, true]) {
    describe(trusted ? 'behind a trusted TLS proxy' : 'without a trusted proxy', () => {
      let server: TestServer;
      beforeAll(async () => {
        server = await startTestServer({
          config: { trustProxy: trusted ? '127.0.0.1' : false, loginAttemptsPerWindow: 2 },
        });
      });
      afterAll(async () => server?.close());

      const signIn = (email: string, password: string, forwardedFor: string) =>
        fetch(`${server.baseUrl}/v1/auth/session`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-forwarded-proto': 'https',
            'x-forwarded-for': forwardedFor,
          },
          body: JSON.stringify({ email, password }),
        });

      it(
        trusted
          ? 'session cookies are Secure, and the sign-in limit counts each client address'
          : 'forwarded headers are ignored: no Secure cookie over plain http, one limit for the connecting address',
        async () => {
          const u = await server.createUser();
          const ok = await signIn(u.email, u.password, '203.0.113.7');
          expect(ok.status).toBe(200);
          const session = ok.headers.getSetCookie().find((c) => c.startsWith('codevf_session='))!;
          expect(/;\s*Secure/i.test(session)).toBe(trusted);
          // Two more attempts from one client reach the limit of 2 …
          await signIn(u.email, 'wrong-password', '203.0.113.7');
          expect((await signIn(u.email, 'wrong-password', '203.0.113.7')).status).toBe(429);
          // … and another client behind the same proxy is limited only if the proxy is not trusted.
          expect((await signIn(u.email, u.password, '198.51.100.9')).status).toBe(trusted ? 200 : 429);
        },
      );
    });
  }
});
