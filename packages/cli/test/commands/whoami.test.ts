import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_BASE_URL } from '@codevf/protocol/constants';
import { describe, expect, it } from 'vitest';
import whoami from '../../src/commands/whoami';
import { CodevfError } from '../../src/core/errors';
import { type CommandWorld, deadUrl, withCommandWorld } from './commandWorld';
import type { FakeApiServer } from './fakeApiServer';

let server: FakeApiServer;
let world: CommandWorld;
withCommandWorld((s, w) => {
  server = s;
  world = w;
});

const env = () => ({ CODEVF_API_URL: server.baseUrl });

describe('whoami handler', () => {
  it('not logged in: loggedIn false with the server address, and nothing is sent', async () => {
    const { result, error } = await world.handle(whoami, {}, { env: env() });
    expect(error).toBeUndefined();
    expect(result).toEqual({ loggedIn: false, baseUrl: server.baseUrl, baseUrlSource: 'env' });
    expect(server.seen).toEqual([]);
  });

  it('not logged in and no address anywhere: the default server', async () => {
    const { result } = await world.handle(whoami);
    expect(result).toEqual({ loggedIn: false, baseUrl: DEFAULT_BASE_URL, baseUrlSource: 'default' });
  });

  it('logged in: the server confirms the user, with credits and the expiry of the stored login', async () => {
    const auth = server.login();
    await world.storeLogin(auth);
    // No address given: the stored login names the server.
    const { result, io } = await world.handle(whoami);
    expect(result).toEqual({
      loggedIn: true,
      baseUrl: server.baseUrl,
      baseUrlSource: 'remembered',
      user: { ...auth.user, credits: 42 },
      verified: true,
      serverReachable: true,
      expiresAt: auth.expiresAt,
    });
    expect(server.seen.map((r) => `${r.method} ${r.path} ${r.authorization}`)).toEqual([
      `GET /v1/me Bearer ${auth.accessToken}`,
    ]);
    expect(io.stdoutText()).toBe('');
    expect(io.stderrText()).toBe('');
  });

  it('a login for another server is not used there: loggedIn false, a warning, and no token sent', async () => {
    await world.storeLogin(server.login({ baseUrl: 'http://127.0.0.2:9' }));
    const { result, io } = await world.handle(whoami, {}, { env: env() });
    expect(result).toEqual({ loggedIn: false, baseUrl: server.baseUrl, baseUrlSource: 'env' });
    expect(io.stderrText()).toBe(
      `Warning: The login on this machine is for http://127.0.0.2:9, not ${server.baseUrl}.\n`,
    );
    expect(server.seen).toEqual([]);
  });

  it('server down: the stored identity, unverified, with a warning', async () => {
    const url = await deadUrl();
    const auth = server.login({ baseUrl: url });
    await world.storeLogin(auth);
    const { result, io } = await world.handle(whoami);
    expect(result).toEqual({
      loggedIn: true,
      baseUrl: url,
      baseUrlSource: 'remembered',
      user: auth.user,
      verified: false,
      serverReachable: false,
      expiresAt: auth.expiresAt,
    });
    expect(io.stderrText()).toMatch(/^Warning: Cannot reach the CodeVF server at .* Showing the login stored/);
  });

  it('an expired access token is refreshed and the rotated tokens are saved', async () => {
    const auth = server.login({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    await world.storeLogin(auth);
    const { result } = await world.handle(whoami);
    expect(result).toMatchObject({ loggedIn: true, verified: true, user: { id: server.user.id } });
    const saved = await world.readLogin();
    expect(saved?.refreshToken).not.toBe(auth.refreshToken);
    expect(saved?.accessToken).not.toBe(auth.accessToken);
    expect(server.refreshTokenWorks(saved?.refreshToken ?? '')).toBe(true);
    expect(server.refreshTokenWorks(auth.refreshToken)).toBe(false);
  });

  it('a revoked login is E_UNAUTHORIZED', async () => {
    const auth = server.login();
    await world.storeLogin(auth);
    server.revokeNow(auth.refreshToken);
    const { error } = await world.handle(whoami);
    expect(error).toBeInstanceOf(CodevfError);
    expect(error).toMatchObject({ code: 'E_UNAUTHORIZED', exitCode: 4 });
  });

  it('a corrupt auth.json is E_CONFIG_INVALID', async () => {
    mkdirSync(dirname(world.authFile), { recursive: true });
    writeFileSync(world.authFile, '{"accessToken":');
    const { error } = await world.handle(whoami, {}, { env: env() });
    expect(error).toMatchObject({ code: 'E_CONFIG_INVALID' });
  });

  it('an invalid CODEVF_API_URL is refused before anything is read or sent', async () => {
    const { error } = await world.handle(whoami, {}, { env: { CODEVF_API_URL: 'http://example.com' } });
    expect(error).toMatchObject({ code: 'E_INSECURE_URL', exitCode: 2 });
  });
});

describe('codevf whoami', () => {
  it('--json: one envelope on stdout, exit 0, whether logged in or not', async () => {
    const out = await world.run(['whoami', '--json'], { env: env() });
    expect(out.code).toBe(0);
    expect(out.json()).toEqual({ ok: true, data: { loggedIn: false, baseUrl: server.baseUrl, baseUrlSource: 'env' } });
    expect(out.stdout.trim().split('\n')).toHaveLength(1);

    const auth = server.login();
    await world.storeLogin(auth);
    const again = await world.run(['whoami', '--json'], { env: env() });
    expect(again.json()).toMatchObject({ ok: true, data: { loggedIn: true, verified: true } });
  });

  it('text: who is logged in and the credits on stdout', async () => {
    await world.storeLogin(server.login());
    const out = await world.run(['whoami']);
    expect(out).toMatchObject({
      code: 0,
      stdout: `Logged in to ${server.baseUrl} (remembered from the last login) as Ada <ada@example.com> (customer)\nCredits: 42\n`,
      stderr: '',
    });
  });

  it('text: not logged in says so on stdout and hints at login on stderr', async () => {
    const out = await world.run(['whoami'], { env: env() });
    expect(out).toMatchObject({
      code: 0,
      stdout: `Not logged in to ${server.baseUrl} (CODEVF_API_URL).\n`,
      stderr: 'Hint: Run: codevf login\n',
    });
  });

  it('text: an unverified login says the server could not be reached', async () => {
    await world.storeLogin(server.login({ baseUrl: await deadUrl() }));
    const out = await world.run(['whoami']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Not verified: the server could not be reached.\n');
  });

  it('a revoked login: the failure envelope and exit 4', async () => {
    const auth = server.login();
    await world.storeLogin(auth);
    server.revokeNow(auth.refreshToken);
    const out = await world.run(['whoami', '--json']);
    expect(out.code).toBe(4);
    expect(out.json()).toEqual({
      ok: false,
      error: { code: 'E_UNAUTHORIZED', message: expect.stringMatching(/revoked/), hint: 'Run: codevf login --force' },
    });
    expect(out.stdout + out.stderr).not.toContain(auth.accessToken);
    expect(out.stdout + out.stderr).not.toContain(auth.refreshToken);
  });

  it('bad flags and arguments are E_VALIDATION, exit 2', async () => {
    const flag = await world.run(['whoami', '--bogus', '--json']);
    expect(flag.code).toBe(2);
    expect(flag.json()).toMatchObject({
      ok: false,
      error: { code: 'E_VALIDATION', hint: 'Run: codevf whoami --help' },
    });
    const extra = await world.run(['whoami', 'someone']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('Unexpected argument: "someone"');
  });
});
