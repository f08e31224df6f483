import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../packages/cli/src/core/api';
import { createAuthStore } from '../packages/cli/src/core/authStore';
import { deviceLogin } from '../packages/cli/src/core/deviceLogin';
import { FakeClock } from '../packages/server/src/clock';
import { startTestServer, type TestServer, type TestUser } from '../packages/server/test/support/testServer';
import { decideDeviceLogin } from './harness/auth';

/**
 * The poll loop against the real server, whose clock is fake: the loop's sleeps move that clock
 * instead of waiting, so intervals, slow_down and expiry are exact and instant.
 */
let server: TestServer;
let clock: FakeClock;
let dir: string;
let user: TestUser;

beforeAll(async () => {
  clock = new FakeClock(new Date());
  server = await startTestServer({ clock });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codevf-device-'));
  user = await server.createUser();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const decide = (userCode: string, decision: 'approve' | 'deny') => decideDeviceLogin(server, user, userCode, decision);

interface Script {
  /** How far each sleep really moves the server's clock (default: what was asked). */
  advance?: (asked: number, call: number) => number;
  /** Runs before the n-th poll (1-based), e.g. to approve. */
  beforePoll?: (call: number, userCode: string) => Promise<void>;
  /** The CLI's own clock (default: the server's). */
  now?: () => number;
}

function run(script: Script = {}) {
  const api = createApiClient({ baseUrl: server.baseUrl, authStore: createAuthStore(join(dir, 'auth.json')) });
  const asked: number[] = [];
  let userCode = '';
  const result = deviceLogin({
    api,
    now: script.now ?? (() => clock.now().getTime()),
    onCode: (info) => {
      userCode = info.userCode;
    },
    sleep: async (ms) => {
      asked.push(ms);
      clock.advance(script.advance?.(ms, asked.length) ?? ms);
      await script.beforePoll?.(asked.length, userCode);
    },
  });
  return { result, asked };
}

describe('device login poll loop', () => {
  it('polls at the server interval until approved, then returns the tokens', async () => {
    const { result, asked } = run({ beforePoll: (n, code) => (n === 3 ? decide(code, 'approve') : Promise.resolve()) });
    const tokens = await result;
    expect(tokens.accessToken).toMatch(/^cvf_at_/);
    expect(tokens.refreshToken).toMatch(/^cvf_rt_/);
    expect(tokens.expiresIn).toBeGreaterThan(0);
    expect(asked).toEqual([5000, 5000, 5000]);
  });

  it('honours slow_down: every later poll waits 5 s longer', async () => {
    // The second sleep wakes early (1 s instead of 5): the server answers slow_down.
    const { result, asked } = run({
      advance: (ms, n) => (n === 2 ? 1000 : ms),
      beforePoll: (n, code) => (n === 5 ? decide(code, 'approve') : Promise.resolve()),
    });
    await result;
    expect(asked).toEqual([5000, 5000, 10_000, 10_000, 10_000]);
  });

  it('stops with E_LOGIN_DENIED when the user denies', async () => {
    const { result } = run({ beforePoll: (n, code) => (n === 2 ? decide(code, 'deny') : Promise.resolve()) });
    await expect(result).rejects.toMatchObject({ code: 'E_LOGIN_DENIED', exitCode: 6 });
  });

  it('stops with E_LOGIN_EXPIRED when the code expires before approval', async () => {
    const { result, asked } = run();
    await expect(result).rejects.toMatchObject({ code: 'E_LOGIN_EXPIRED', exitCode: 4 });
    // 600 s lifetime at 5 s: the 120th poll is the first at or past the expiry.
    expect(asked.length).toBe(120);
  });

  it('gives up at its own deadline even if the server keeps answering', async () => {
    let ours = Date.now();
    const { result, asked } = run({
      advance: () => 0,
      now: () => ours,
      beforePoll: async (n) => {
        ours += asked[n - 1] ?? 0;
      },
    });
    await expect(result).rejects.toMatchObject({ code: 'E_LOGIN_EXPIRED' });
    // The server's clock stood still, so it never expired the code; we stopped after 600 s of ours.
    expect(asked.reduce((a, b) => a + b, 0)).toBeGreaterThan(600_000);
  });

  it('stops with E_LOGIN_EXPIRED when the server says expired_token first', async () => {
    // The server's clock runs 11 minutes ahead of ours: it expires the code on the first poll.
    const { result, asked } = run({ advance: (ms, n) => (n === 1 ? 11 * 60_000 : ms) });
    await expect(result).rejects.toMatchObject({ code: 'E_LOGIN_EXPIRED' });
    expect(asked.length).toBe(1);
  });

  it('a code is good for one login only', async () => {
    let code = '';
    const first = run({
      beforePoll: async (n, c) => {
        code = c;
        if (n === 1) await decide(c, 'approve');
      },
    });
    await first.result;
    const { cookie, csrfToken } = await server.signIn(user.email, user.password);
    const res = await fetch(`${server.baseUrl}/v1/device/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ user_code: code }),
    });
    expect(res.status).toBe(409);
  });
});
