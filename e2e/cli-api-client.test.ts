import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../packages/cli/src/core/api';
import { type AuthStore, createAuthStore, type StoredAuth } from '../packages/cli/src/core/authStore';
import { CodevfError } from '../packages/cli/src/core/errors';
import { nodeTransport, type Transport } from '../packages/cli/src/core/http';
import { startTestServer, type TestServer, type TestUser } from '../packages/server/test/support/testServer';
import { refreshTokenWorks } from './harness/auth';
import { loginRecord } from './harness/cli';

let server: TestServer;
let dir: string;
let store: AuthStore;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codevf-api-'));
  store = createAuthStore(join(dir, 'codevf', 'auth.json'));
  user = await server.createUser({ credits: 7 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The real transport, counting refresh-token grants on their way to the server. */
function countingTransport() {
  const counter = { refreshes: 0, requests: 0 };
  const transport: Transport = async (req) => {
    counter.requests++;
    if (typeof req.body === 'string' && req.body.includes('grant_type=refresh_token')) counter.refreshes++;
    return nodeTransport(req);
  };
  return { counter, transport };
}

async function login(overrides: Partial<StoredAuth> = {}): Promise<StoredAuth> {
  const auth: StoredAuth = { ...loginRecord(server.baseUrl, user, await server.issueTokens(user.id)), ...overrides };
  await store.write(auth);
  return auth;
}

const expired = () => new Date(Date.now() - 60_000).toISOString();

describe('single-flight refresh', () => {
  it('N parallel requests with an expired access token cause exactly one refresh', async () => {
    const old = await login({ expiresAt: expired() });
    const { counter, transport } = countingTransport();
    const api = createApiClient({ baseUrl: server.baseUrl, authStore: store, transport });
    const answers = await Promise.all(Array.from({ length: 8 }, () => api.get<{ id: string }>('/v1/me')));
    expect(answers.map((a) => a.id)).toEqual(Array(8).fill(user.id));
    expect(counter.refreshes).toBe(1);
    const saved = await store.read();
    expect(saved?.refreshToken).not.toBe(old.refreshToken);
    // Had a second refresh presented the old token, reuse detection would have revoked the family.
    expect(await refreshTokenWorks(server, saved?.refreshToken ?? '')).toBe(true);
  });

  it('N parallel requests that all get a 401 refresh once and retry', async () => {
    await login({ accessToken: 'cvf_at_not-a-real-token' });
    const { counter, transport } = countingTransport();
    const api = createApiClient({ baseUrl: server.baseUrl, authStore: store, transport });
    const answers = await Promise.all(Array.from({ length: 6 }, () => api.get<{ id: string }>('/v1/me')));
    expect(answers.every((a) => a.id === user.id)).toBe(true);
    expect(counter.refreshes).toBe(1);
  });

  it('two clients on the same auth.json (two codevf processes) refresh once between them', async () => {
    await login({ expiresAt: expired() });
    const { counter, transport } = countingTransport();
    const a = createApiClient({ baseUrl: server.baseUrl, authStore: store, transport });
    const b = createApiClient({ baseUrl: server.baseUrl, authStore: createAuthStore(store.path), transport });
    const answers = await Promise.all([a.get('/v1/me'), b.get('/v1/me'), a.get('/v1/me'), b.get('/v1/me')]);
    expect(answers).toHaveLength(4);
    expect(counter.refreshes).toBe(1);
    expect(await refreshTokenWorks(server, (await store.read())?.refreshToken ?? '')).toBe(true);
  });

  it('refreshes shortly before expiry, not only after', async () => {
    await login({ expiresAt: new Date(Date.now() + 10_000).toISOString() });
    const { counter, transport } = countingTransport();
    const api = createApiClient({ baseUrl: server.baseUrl, authStore: store, transport });
    await api.get('/v1/me');
    expect(counter.refreshes).toBe(1);
    await api.get('/v1/me');
    expect(counter.refreshes).toBe(1);
  });
});

describe('errors', () => {
  it('a revoked login is E_UNAUTHORIZED (exit 4)', async () => {
    const auth = await login();
    await fetch(`${server.baseUrl}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: auth.refreshToken }),
    });
    const api = createApiClient({ baseUrl: server.baseUrl, authStore: store });
    const err = await api.get('/v1/me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodevfError);
    expect(err).toMatchObject({ code: 'E_UNAUTHORIZED', exitCode: 4 });
  });

  it('no login is E_NOT_LOGGED_IN; a login for another server is not sent there', async () => {
    const { counter, transport } = countingTransport();
    const api = createApiClient({ baseUrl: server.baseUrl, authStore: store, transport });
    await expect(api.get('/v1/me')).rejects.toMatchObject({ code: 'E_NOT_LOGGED_IN', exitCode: 4 });
    await login({ baseUrl: 'https://other.example.com' });
    const again = createApiClient({ baseUrl: server.baseUrl, authStore: store, transport });
    await expect(again.get('/v1/me')).rejects.toMatchObject({
      code: 'E_NOT_LOGGED_IN',
      message: expect.stringContaining('other.example.com'),
    });
    expect(counter.requests).toBe(0);
  });

  it("maps problem details to the server's code and message", async () => {
    await login();
    const api = createApiClient({ baseUrl: server.baseUrl, authStore: store });
    const err = await api.post('/v1/device/approve', { user_code: 'nope' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_VALIDATION', exitCode: 2 });
    expect((err as Error).message).toMatch(/XXXX-XXXX/);
  });

  it('validates answers with the given parser', async () => {
    await login();
    const api = createApiClient({ baseUrl: server.baseUrl, authStore: store });
    await expect(
      api.get('/v1/me', {
        parse: () => {
          throw new Error('bad shape');
        },
      }),
    ).rejects.toMatchObject({ code: 'E_INTERNAL' });
  });

  it('nothing listening is E_UNREACHABLE (exit 5)', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((r) => probe.close(() => r()));
    const api = createApiClient({ baseUrl: `http://127.0.0.1:${port}`, authStore: store });
    await expect(api.get('/healthz', { auth: false })).rejects.toMatchObject({ code: 'E_UNREACHABLE', exitCode: 5 });
  });

  describe('a server that accepts and never answers', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      silent = createServer((s) => sockets.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });

    it('times out with E_TIMEOUT (exit 5)', async () => {
      const { port } = silent.address() as { port: number };
      const api = createApiClient({ baseUrl: `http://127.0.0.1:${port}`, authStore: store, timeoutMs: 200 });
      await expect(api.get('/healthz', { auth: false })).rejects.toMatchObject({ code: 'E_TIMEOUT', exitCode: 5 });
    });

    it('onSent says the request has left, before any answer: the whole body is on the server', async () => {
      const { port } = silent.address() as { port: number };
      const controller = new AbortController();
      const api = createApiClient({ baseUrl: `http://127.0.0.1:${port}`, authStore: store, signal: controller.signal });
      const body = { description: 'x'.repeat(50_000) };
      const received = new Promise<string>((resolve) => {
        silent.once('connection', (socket) => {
          let text = '';
          socket.on('data', (d) => {
            text += d.toString('latin1');
            if (text.endsWith(JSON.stringify(body))) resolve(text);
          });
        });
      });
      let sentCalls = 0;
      const sent = new Promise<void>((resolve) => {
        const pending = api.post('/v1/tasks', body, {
          auth: false,
          onSent: () => {
            sentCalls++;
            resolve();
          },
        });
        pending.catch(() => {});
      });
      await sent;
      expect((await received).startsWith('POST /v1/tasks HTTP/1.1')).toBe(true);
      expect(sentCalls).toBe(1);
      controller.abort();
    });

    it('stops at once when aborted (Ctrl+C → exit 130)', async () => {
      const { port } = silent.address() as { port: number };
      const controller = new AbortController();
      const api = createApiClient({ baseUrl: `http://127.0.0.1:${port}`, authStore: store, signal: controller.signal });
      const pending = api.get('/healthz', { auth: false });
      setTimeout(() => controller.abort(), 20);
      await expect(pending).rejects.toMatchObject({ code: 'E_CANCELLED', exitCode: 130 });
    });
  });
});
