/**
 * Login CSRF in a real browser: a hostile page on another site auto-submits a form that signs
 * the visitor's browser into the attacker's account (or creates one). Chromium attaches `Origin`
 * and `Sec-Fetch-Site` by itself; the server must refuse, and no session cookie may land.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useConsoleWorld } from './harness/consoleWorld';

const world = useConsoleWorld({ config: { selfSignup: true } });

let hostile: Server;
let hostileOrigin: string;
let nextPage = '';

beforeAll(async () => {
  hostile = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(nextPage);
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  // `localhost` is another site than the server's `127.0.0.1`.
  hostileOrigin = `http://localhost:${(hostile.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => hostile.close(() => resolve())));

/** The attack page: a form that posts itself to the server as soon as it loads. */
function autoSubmit(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join('');
  return `<!doctype html><form method="post" action="${action}">${inputs}</form><script>document.forms[0].submit()</script>`;
}

async function attack(path: string, fields: Record<string, string>) {
  nextPage = autoSubmit(`${world.server.baseUrl}${path}`, fields);
  const { context, page } = await world.openConsole();
  try {
    const answer = page.waitForResponse((r) => r.url() === `${world.server.baseUrl}${path}`);
    await page.goto(`${hostileOrigin}/`);
    const res = await answer;
    const request = res.request();
    return {
      status: res.status(),
      body: await res.json(),
      sentOrigin: await request.headerValue('origin'),
      cookies: await context.cookies(world.server.baseUrl),
    };
  } finally {
    await context.close();
  }
}

describe('a hostile page posting the sign-in or sign-up form', () => {
  it('cannot sign the browser into the attacker’s account', async () => {
    const attacker = await world.server.createUser();
    const result = await attack('/v1/auth/session', { email: attacker.email, password: attacker.password });
    expect(result.sentOrigin).toBe(hostileOrigin);
    expect(result.status).toBe(403);
    expect(result.body.code).toBe('E_CROSS_SITE');
    expect(result.cookies.map((c) => c.name)).not.toContain('codevf_session');
  });

  it('cannot create an account through the visitor’s browser', async () => {
    const email = `planted-${Date.now()}@example.test`;
    const result = await attack('/v1/auth/signup', { email, name: 'Planted', password: 'attacker-password' });
    expect(result.status).toBe(403);
    expect(result.body.code).toBe('E_CROSS_SITE');
    expect(result.cookies.map((c) => c.name)).not.toContain('codevf_session');
    const rows = await world.server.ctx.storage.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .execute();
    expect(rows).toEqual([]);
  });
});
