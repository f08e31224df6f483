import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/testServer';

/**
 * Sweeps every API route the server registers — including ones added later — with malformed
 * JSON, wrongly typed JSON, oversized bodies and junk path ids, as each role. Whatever the
 * route, the answer must be a client error with a code, never a 500 or a hung request.
 */
describe('bad input to every endpoint', () => {
  let server: TestServer;
  const auth: Record<string, Record<string, string>> = { anonymous: {} };
  beforeAll(async () => {
    server = await startTestServer({ config: { bodyLimitBytes: 64 * 1024 } });
    for (const role of ['customer', 'engineer', 'admin'] as const) {
      const u = await server.createUser({ role, credits: 10 });
      auth[role] = { authorization: `Bearer ${(await server.issueTokens(u.id)).accessToken}` };
    }
  });
  afterAll(async () => server?.close());

  const apiRoutes = () =>
    server.app.routeTable.filter(
      // Live channels (a socket, an event stream) never finish a response: they have their own tests.
      (r) =>
        /^\/(v1|oauth)\//.test(r.url) &&
        !['HEAD', 'OPTIONS'].includes(r.method) &&
        !r.url.endsWith('/ws') &&
        !r.url.endsWith('/stream'),
    );

  const bodies: Record<string, { type: string; body: string }> = {
    'malformed JSON': { type: 'application/json', body: '{"a": [1, 2' },
    'a JSON array': { type: 'application/json', body: '[1,2,3]' },
    'wrong field types': {
      type: 'application/json',
      body: JSON.stringify({ email: 7, description: {}, rating: 'five', amount: 'x', user_code: [], name: null }),
    },
    'an oversized body': { type: 'application/json', body: JSON.stringify({ text: 'x'.repeat(200 * 1024) }) },
    'a bad content type': { type: 'text/plain', body: 'hello' },
  };

  it('has routes to sweep', () => {
    expect(apiRoutes().length).toBeGreaterThan(8);
  });

  it.each(Object.keys(bodies))(
    'answers %s with a coded client error on every route and role',
    async (kind) => {
      const { type, body } = bodies[kind]!;
      const failures: string[] = [];
      for (const route of apiRoutes()) {
        const url = route.url.replace(/:[A-Za-z]+/g, 'no-such-id-123');
        for (const [role, headers] of Object.entries(auth)) {
          const hasBody = !['GET', 'DELETE'].includes(route.method);
          const res = await fetch(`${server.baseUrl}${url}?after=abc&user_code=%00`, {
            method: route.method,
            headers: { ...headers, ...(hasBody ? { 'content-type': type } : {}) },
            body: hasBody ? body : undefined,
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          const where = `${route.method} ${route.url} as ${role}: ${res.status} ${text.slice(0, 160)}`;
          if (res.status >= 500) failures.push(where);
          else if (res.status >= 400) {
            const parsed = JSON.parse(text) as { code?: string; error?: string };
            // OAuth endpoints answer RFC 6749 errors; everything else problem details with a code.
            if (route.url.startsWith('/oauth/') ? !parsed.error : !parsed.code) failures.push(`no code: ${where}`);
          }
        }
      }
      expect(failures).toEqual([]);
    },
    120_000,
  );
});
