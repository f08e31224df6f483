import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import login from '../../src/commands/login';
import { type CommandWorld, deadUrl, withCommandWorld } from './commandWorld';
import type { FakeApiServer } from './fakeApiServer';

let server: FakeApiServer;
let world: CommandWorld;
withCommandWorld((s, w) => {
  server = s;
  world = w;
});

const env = () => ({ CODEVF_API_URL: server.baseUrl });
const NOW = Date.parse('2026-01-02T03:04:05.000Z');
const deviceCodesAsked = () => server.seen.filter((r) => r.path === '/oauth/device_authorization').length;

describe('login handler', () => {
  it('device flow: shows the code first, polls at the interval (slower after slow_down), stores the login', async () => {
    server.answerDevicePolls(['pending', 'slow_down', 'approve']);
    const slept: number[] = [];
    const { result, error, io } = await world.handle(
      login,
      { flags: { 'no-browser': true } },
      { env: env(), overrides: { now: () => NOW, sleep: async (ms) => void slept.push(ms) } },
    );
    expect(error).toBeUndefined();
    const user = { id: server.user.id, email: server.user.email, name: 'Ada', role: 'customer' };
    expect(result).toEqual({ loggedIn: true, alreadyLoggedIn: false, baseUrl: server.baseUrl, user });
    expect(slept).toEqual([1000, 1000, 6000]);
    expect(io.stderrText()).toBe(
      [
        `To log in, open ${server.baseUrl}/device`,
        'and enter the code BCDF-GHJK (check it matches in the browser).',
        `Direct link: ${server.baseUrl}/device?user_code=BCDFGHJK`,
        'Waiting for approval (the code expires in 10 minutes)…',
        '',
      ].join('\n'),
    );
    expect(io.stdoutText()).toBe('');
    const saved = await world.readLogin();
    expect(saved).toEqual({
      accessToken: expect.stringMatching(/^cvf_at_/),
      refreshToken: expect.stringMatching(/^cvf_rt_/),
      expiresAt: new Date(NOW + 3_600_000).toISOString(),
      userId: server.user.id,
      baseUrl: server.baseUrl,
      user,
    });
    expect(server.refreshTokenWorks(saved?.refreshToken ?? '')).toBe(true);
    expect(world.opened).toEqual([]);
  });

  it('already logged in: says so, asks the server nothing and leaves auth.json as it was', async () => {
    await world.storeLogin(server.login());
    const before = readFileSync(world.authFile, 'utf8');
    const { result, io } = await world.handle(login, {}, { env: env() });
    expect(result).toEqual({
      loggedIn: true,
      alreadyLoggedIn: true,
      baseUrl: server.baseUrl,
      user: expect.objectContaining({ email: server.user.email }),
    });
    expect(io.stderrText()).toBe(
      `Already logged in to ${server.baseUrl} as Ada <ada@example.com>. Nothing changed; use codevf login --force to log in again.\n`,
    );
    expect(server.seen).toEqual([]);
    expect(readFileSync(world.authFile, 'utf8')).toBe(before);
  });

  it('already logged in elsewhere: the message names --force for the other server', async () => {
    await world.storeLogin(server.login());
    const other = 'http://127.0.0.3:7878';
    const { result, io } = await world.handle(login, {}, { baseUrlFlag: other });
    expect(result).toMatchObject({ alreadyLoggedIn: true, baseUrl: server.baseUrl });
    expect(io.stderrText()).toContain(`To log in to ${other} instead, add --force.`);
  });

  it('--force logs in again and revokes the replaced login on its server', async () => {
    const old = server.login();
    await world.storeLogin(old);
    const { result } = await world.handle(login, { flags: { force: true, 'no-browser': true } }, { env: env() });
    expect(result).toMatchObject({ alreadyLoggedIn: false });
    expect(deviceCodesAsked()).toBe(1);
    const saved = await world.readLogin();
    expect(saved?.refreshToken).not.toBe(old.refreshToken);
    expect(server.revoked).toContain(old.refreshToken);
    expect(server.refreshTokenWorks(old.refreshToken)).toBe(false);
  });

  it('a corrupt auth.json is kept unless --force replaces it', async () => {
    mkdirSync(dirname(world.authFile), { recursive: true });
    writeFileSync(world.authFile, '[]');
    const refused = await world.handle(login, {}, { env: env() });
    expect(refused.error).toMatchObject({
      code: 'E_CONFIG_INVALID',
      hint: 'Run: codevf login --force (replaces the file)',
    });
    expect(readFileSync(world.authFile, 'utf8')).toBe('[]');
    expect(deviceCodesAsked()).toBe(0);

    const forced = await world.handle(login, { flags: { force: true, 'no-browser': true } }, { env: env() });
    expect(forced.result).toMatchObject({ loggedIn: true, alreadyLoggedIn: false });
    expect(await world.readLogin()).toMatchObject({ baseUrl: server.baseUrl, userId: server.user.id });
  });

  it('denied in the browser: E_LOGIN_DENIED (exit 6) and nothing stored', async () => {
    server.answerDevicePolls(['pending', 'deny']);
    const { error } = await world.handle(login, { flags: { 'no-browser': true } }, { env: env() });
    expect(error).toMatchObject({ code: 'E_LOGIN_DENIED', exitCode: 6 });
    expect(await world.readLogin()).toBeNull();
  });

  it('the code expires: E_LOGIN_EXPIRED (exit 4) and nothing stored', async () => {
    server.answerDevicePolls(['expired']);
    const { error } = await world.handle(login, { flags: { 'no-browser': true } }, { env: env() });
    expect(error).toMatchObject({ code: 'E_LOGIN_EXPIRED', exitCode: 4 });
    expect(await world.readLogin()).toBeNull();
  });

  describe('opening a browser', () => {
    const direct = () => `${server.baseUrl}/device?user_code=BCDFGHJK`;
    const attempt = async (options: {
      tty: boolean;
      env?: Record<string, string>;
      platform?: NodeJS.Platform;
      noBrowser?: boolean;
    }) => {
      const { io } = await world.handle(
        login,
        { flags: { 'no-browser': options.noBrowser } },
        { tty: options.tty, env: { ...env(), ...options.env }, overrides: { platform: options.platform ?? 'linux' } },
      );
      return io.stderrText();
    };

    it('opens the direct link where a person watches a display', async () => {
      const stderr = await attempt({ tty: true, env: { DISPLAY: ':0' } });
      expect(world.opened).toEqual([direct()]);
      expect(stderr).toContain('Opened your browser.\n');
    });

    it('on macOS no DISPLAY is needed', async () => {
      await attempt({ tty: true, platform: 'darwin' });
      expect(world.opened).toEqual([direct()]);
    });

    it('does not try without a terminal, on Linux without a display, in CI, or with --no-browser', async () => {
      await attempt({ tty: false, env: { DISPLAY: ':0' } });
      await attempt({ tty: true });
      await attempt({ tty: true, env: { DISPLAY: ':0', CI: 'true' } });
      const stderr = await attempt({ tty: true, env: { WAYLAND_DISPLAY: 'wayland-0' }, noBrowser: true });
      expect(world.opened).toEqual([]);
      expect(stderr).not.toContain('Opened your browser');
    });
  });
});

describe('codevf login', () => {
  it('--json: the envelope on stdout, the code on stderr, no token anywhere', async () => {
    const out = await world.run(['login', '--no-browser', '--json'], { env: env() });
    expect(out.code).toBe(0);
    expect(out.json()).toEqual({
      ok: true,
      data: {
        loggedIn: true,
        alreadyLoggedIn: false,
        baseUrl: server.baseUrl,
        user: { id: server.user.id, email: server.user.email, name: 'Ada', role: 'customer' },
      },
    });
    expect(out.stderr).toContain('BCDF-GHJK');
    const saved = await world.readLogin();
    expect(out.stdout + out.stderr).not.toContain(saved?.accessToken);
    expect(out.stdout + out.stderr).not.toContain(saved?.refreshToken);
  });

  it('text: the success line on stderr; already logged in prints nothing more than the status', async () => {
    const first = await world.run(['login', '--no-browser'], { env: env() });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(new RegExp(`✓ Logged in to ${server.baseUrl} as Ada <ada@example.com>\\n$`));
    const second = await world.run(['login', '--no-browser'], { env: env() });
    expect(second).toMatchObject({ code: 0, stdout: '' });
    expect(second.stderr).toMatch(/^Already logged in .*--force to log in again\.\n$/);
  });

  it('server down: E_UNREACHABLE, exit 5', async () => {
    const out = await world.run(['login', '--no-browser', '--json'], { env: { CODEVF_API_URL: await deadUrl() } });
    expect(out.code).toBe(5);
    expect(out.json()).toMatchObject({ ok: false, error: { code: 'E_UNREACHABLE' } });
  });

  it('denied: the failure envelope with exit 6', async () => {
    server.answerDevicePolls(['deny']);
    const out = await world.run(['login', '--no-browser', '--json'], { env: env() });
    expect(out.code).toBe(6);
    expect(out.json()).toMatchObject({ ok: false, error: { code: 'E_LOGIN_DENIED' } });
  });

  it('plain http:// to another host is refused (exit 2) before anything is sent', async () => {
    const out = await world.run(['login', '--base-url', 'http://codevf.example.com', '--json']);
    expect(out.code).toBe(2);
    expect(out.json()).toMatchObject({ ok: false, error: { code: 'E_INSECURE_URL' } });
    expect(server.seen).toEqual([]);
  });

  it('bad flags are E_VALIDATION, exit 2', async () => {
    const out = await world.run(['login', '--browser']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("Unknown option '--browser'");
    expect(deviceCodesAsked()).toBe(0);
  });
});
