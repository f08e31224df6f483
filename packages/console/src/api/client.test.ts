import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from './apiError';
import { listFrom, onSessionExpired, request, setApiBase } from './client';
import { rememberCsrfToken } from './csrf';

// A real HTTP server stands in for the API: the client is tested over real sockets.
let server: Server;
let seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const problem = (status: number, code: string, detail: string, extra: object = {}) => {
        res.writeHead(status, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'about:blank', title: 'x', status, detail, code, ...extra }));
      };
      switch (req.url) {
        case '/ok':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ hello: 'world' }));
        case '/empty':
          res.writeHead(204);
          return res.end();
        case '/unauthorized':
          return problem(401, 'E_UNAUTHORIZED', 'Session expired');
        case '/validation':
          return problem(400, 'E_VALIDATION', 'email: Invalid email', {
            errors: [{ path: 'email', message: 'Invalid email' }],
          });
        case '/conflict':
          return problem(409, 'E_CONFLICT', 'Task already claimed');
        case '/limited':
          return problem(429, 'E_RATE_LIMITED', 'slow down');
        case '/bad-gateway':
          res.writeHead(502, { 'content-type': 'text/html' });
          return res.end('<h1>Bad gateway</h1>');
        case '/unknown-code':
          return problem(418, 'E_TEAPOT', 'short and stout');
        case '/not-json':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end('{oops');
        default:
          res.writeHead(404);
          return res.end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  setApiBase(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

afterEach(() => {
  seen = [];
  rememberCsrfToken(null);
});

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

describe('request', () => {
  it('returns parsed JSON and undefined for 204', async () => {
    await expect(request('/ok')).resolves.toEqual({ hello: 'world' });
    await expect(request('/empty', { method: 'DELETE' })).resolves.toBeUndefined();
  });

  it('sends the CSRF token on state-changing methods only', async () => {
    rememberCsrfToken('tok-123');
    await request('/ok');
    await request('/ok', { method: 'POST', body: { a: 1 } });
    expect(seen[0]?.headers['x-csrf-token']).toBeUndefined();
    expect(seen[1]?.headers['x-csrf-token']).toBe('tok-123');
    expect(seen[1]?.headers['content-type']).toBe('application/json');
    expect(seen[1]?.body).toBe('{"a":1}');
  });

  it('maps problem details to friendly messages with the server code', async () => {
    const v = await failure(request('/validation', { method: 'POST', body: {} }));
    expect(v).toMatchObject({ code: 'E_VALIDATION', status: 400, message: 'email: Invalid email.' });
    expect(v.fields).toEqual({ email: 'Invalid email' });
    expect(await failure(request('/conflict'))).toMatchObject({ code: 'E_CONFLICT', message: 'Task already claimed.' });
    expect(await failure(request('/limited'))).toMatchObject({
      code: 'E_RATE_LIMITED',
      message: 'Too many attempts. Wait a minute and try again.',
    });
  });

  it('falls back on the status when the body is not problem details', async () => {
    expect(await failure(request('/bad-gateway'))).toMatchObject({ code: 'E_UNREACHABLE', status: 502 });
    expect(await failure(request('/nowhere'))).toMatchObject({ code: 'E_NOT_FOUND', status: 404 });
    expect(await failure(request('/unknown-code'))).toMatchObject({ code: 'E_VALIDATION', status: 418 });
    expect(await failure(request('/not-json'))).toMatchObject({ code: 'E_INTERNAL' });
  });

  it('announces an expired session on 401 unless the caller expects a 401', async () => {
    let expired = 0;
    const off = onSessionExpired(() => {
      expired++;
    });
    const e = await failure(request('/unauthorized'));
    expect(e).toMatchObject({ code: 'E_UNAUTHORIZED', message: 'Your session expired. Sign in again.' });
    expect(expired).toBe(1);
    await failure(request('/unauthorized', { expectUnauthorized: true }));
    expect(expired).toBe(1);
    off();
  });

  it('reports an unreachable server as E_UNREACHABLE', async () => {
    const dead = createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const port = (dead.address() as AddressInfo).port;
    dead.close();
    await once(dead, 'close');
    setApiBase(`http://127.0.0.1:${port}`);
    try {
      const e = await failure(request('/ok'));
      expect(e).toMatchObject({ code: 'E_UNREACHABLE', status: 0 });
      expect(e.message).toMatch(/Cannot reach the CodeVF server/);
    } finally {
      setApiBase(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  });
});

describe('listFrom', () => {
  it('accepts bare and wrapped lists and nothing else', () => {
    expect(listFrom([1, 2], 'tasks')).toEqual([1, 2]);
    expect(listFrom({ tasks: [3] }, 'tasks')).toEqual([3]);
    expect(listFrom({ other: [3] }, 'tasks')).toEqual([]);
    expect(listFrom(null, 'tasks')).toEqual([]);
  });
});
