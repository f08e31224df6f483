import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/testServer';

const MAIN = join(import.meta.dirname, '../src/main.ts');

describe('console sessions and accounts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { selfSignup: true } });
  });
  afterAll(async () => server?.close());

  const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('sets an HttpOnly SameSite=Lax session cookie and signs out', async () => {
    const u = await server.createUser();
    const res = await json('POST', '/v1/auth/session', { email: u.email.toUpperCase(), password: u.password });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('codevf_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    const { cookie, csrfToken } = await server.signIn(u.email, u.password);
    expect((await fetch(`${server.baseUrl}/v1/me`, { headers: { cookie } })).status).toBe(200);
    const out = await fetch(`${server.baseUrl}/v1/auth/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.status).toBe(204);
    expect((await fetch(`${server.baseUrl}/v1/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('gives one answer for unknown email and wrong password', async () => {
    const u = await server.createUser();
    const a = await (
      await json('POST', '/v1/auth/session', { email: 'nobody@example.test', password: 'whatever1' })
    ).json();
    const b = await (await json('POST', '/v1/auth/session', { email: u.email, password: 'whatever1' })).json();
    expect(a.detail).toBe(b.detail);
    expect(a.code).toBe('E_UNAUTHORIZED');
  });

  it('lets customers sign up when enabled, with validation', async () => {
    const ok = await json('POST', '/v1/auth/signup', {
      email: 'new@example.test',
      password: 'long-enough',
      name: 'New',
    });
    expect(ok.status).toBe(201);
    expect((await ok.json()).user.role).toBe('customer');
    const dup = await json('POST', '/v1/auth/signup', {
      email: 'NEW@example.test',
      password: 'long-enough',
      name: 'New',
    });
    expect((await dup.json()).code).toBe('E_CONFLICT');
    const short = await json('POST', '/v1/auth/signup', { email: 'x@example.test', password: 'short', name: 'X' });
    const body = await short.json();
    expect(body.code).toBe('E_VALIDATION');
    expect(body.errors[0].path).toBe('password');
  });

  it('lets admins manage users and credits, and nobody else', async () => {
    const admin = await server.createUser({ role: 'admin' });
    const customer = await server.createUser({ role: 'customer' });
    const a = await server.signIn(admin.email, admin.password);
    const c = await server.signIn(customer.email, customer.password);
    const asAdmin = { cookie: a.cookie, 'x-csrf-token': a.csrfToken };
    const forbidden = await fetch(`${server.baseUrl}/v1/admin/users`, { headers: { cookie: c.cookie } });
    expect(forbidden.status).toBe(403);
    const created = await json(
      'POST',
      '/v1/admin/users',
      { email: 'eng@example.test', name: 'Eng', role: 'engineer', password: 'password-1', title: 'Staff' },
      asAdmin,
    );
    expect(created.status).toBe(201);
    const eng = await created.json();
    const granted = await json('POST', '/v1/admin/credits', { email: customer.email, amount: 25 }, asAdmin);
    expect((await granted.json()).credits).toBe(25);
    const bad = await json('POST', '/v1/admin/credits', { email: customer.email, amount: -5 }, asAdmin);
    expect((await bad.json()).code).toBe('E_VALIDATION');
    const disabled = await json('PATCH', `/v1/admin/users/${eng.id}`, { disabled: true }, asAdmin);
    expect((await disabled.json()).disabled).toBe(true);
    const signIn = await json('POST', '/v1/auth/session', { email: 'eng@example.test', password: 'password-1' });
    expect((await signIn.json()).code).toBe('E_FORBIDDEN');
    const self = await json('PATCH', `/v1/admin/users/${admin.id}`, { disabled: true }, asAdmin);
    expect((await self.json()).code).toBe('E_CONFLICT');
  });

  it('disabling a user revokes their tokens', async () => {
    const admin = await server.createUser({ role: 'admin' });
    const u = await server.createUser();
    const t = await server.issueTokens(u.id);
    const a = await server.signIn(admin.email, admin.password);
    await json(
      'PATCH',
      `/v1/admin/users/${u.id}`,
      { disabled: true },
      { cookie: a.cookie, 'x-csrf-token': a.csrfToken },
    );
    const me = await fetch(`${server.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${t.accessToken}` } });
    expect(me.status).toBe(401);
  });

  it('stores tokens and passwords only as hashes', async () => {
    const u = await server.createUser();
    const t = await server.issueTokens(u.id);
    const rows = await server.ctx.storage.db.selectFrom('oauth_tokens').select('hash').execute();
    expect(rows.some((r) => r.hash === t.accessToken || r.hash === t.refreshToken)).toBe(false);
    const user = await server.ctx.storage.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(user.password_hash).not.toContain(u.password);
  });

  it('reports liveness and readiness', async () => {
    expect(await (await fetch(`${server.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await (await fetch(`${server.baseUrl}/readyz`)).json();
    expect(ready.checks.database).toBe('ok');
  });

  it('never writes a token, password or cookie to the log', async () => {
    const u = await server.createUser();
    const t = await server.issueTokens(u.id);
    await fetch(`${server.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${t.accessToken}` } });
    await fetch(`${server.baseUrl}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${t.refreshToken}`,
    });
    const { cookie } = await server.signIn(u.email, u.password);
    const logs = server.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [t.accessToken, t.refreshToken, u.password, cookie.split('=')[1]!])
      expect(logs).not.toContain(secret);
  });

  it('revocation (RFC 7009) answers 200 for unknown tokens and ends the login', async () => {
    const u = await server.createUser();
    const t = await server.issueTokens(u.id);
    const revoke = (token: string) =>
      fetch(`${server.baseUrl}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
    expect((await revoke('not-a-token')).status).toBe(200);
    expect((await revoke(t.refreshToken)).status).toBe(200);
    expect(
      (await fetch(`${server.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${t.accessToken}` } })).status,
    ).toBe(401);
  });
});

describe('codevf-server admin CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'codevf-admin-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const cli = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', MAIN, '--data-dir', dataDir, ...args],
        { env: { ...process.env, DATABASE_URL: '' } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input ?? '');
    });

  it('adds users, lists them, grants credits, and rejects bad input', async () => {
    const added = await cli(
      ['user', 'add', '--email', 'Ann@Example.test', '--name', 'Ann', '--role', 'engineer', '--password-stdin'],
      'a-good-password\n',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('created engineer ann@example.test');
    expect(added.stdout).not.toContain('a-good-password');
    const generated = await cli(['user', 'add', '--email', 'bob@example.test', '--name', 'Bob', '--role', 'customer']);
    expect(generated.stdout).toMatch(/password: \S{12,}/);
    const dup = await cli(['user', 'add', '--email', 'bob@example.test', '--name', 'Bob', '--role', 'customer']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('Error: A user with email bob@example.test already exists.');
    const badRole = await cli(['user', 'add', '--email', 'c@example.test', '--name', 'C', '--role', 'wizard']);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain('customer, engineer or admin');
    const grant = await cli(['credits', 'grant', '--email', 'bob@example.test', '--amount', '30']);
    expect(grant.stdout).toContain('now has 30 credits');
    const badAmount = await cli(['credits', 'grant', '--email', 'bob@example.test', '--amount', '-3']);
    expect(badAmount.code).not.toBe(0);
    const missing = await cli(['credits', 'grant', '--email', 'nobody@example.test', '--amount', '3']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No user with email nobody@example.test');
    const list = await cli(['user', 'list', '--json']);
    const users = JSON.parse(list.stdout).data.users;
    expect(users.map((u: { email: string }) => u.email).sort()).toEqual(['ann@example.test', 'bob@example.test']);
    expect(users.find((u: { email: string }) => u.email === 'bob@example.test').credits).toBe(30);
    const migrate = await cli(['migrate']);
    expect(migrate.stdout).toContain('up to date');
    // Nine cold starts of the TypeScript sources; generous because the suite runs in parallel.
  }, 180_000);
});
