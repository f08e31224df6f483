/**
 * `codevf login / whoami / logout` end to end: the built binary, a real server on an
 * ephemeral port, a temp HOME, and the device approved through the real console API.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../packages/cli/src/commands/registry';
import type { StoredAuth } from '../packages/cli/src/core/authStore';
import { deadUrl } from '../packages/cli/test/commands/commandWorld';
import { startTestServer, type TestServer, type TestUser } from '../packages/server/test/support/testServer';
import { decideDeviceLogin, refreshTokenWorks } from './harness/auth';
import { authFileFor, createTempHome, parseJsonOutput, REPO_ROOT, runCli, startCli, storeLogin } from './harness/cli';

let server: TestServer;
let home: string;
let cleanupHome: () => void;

beforeAll(async () => {
  server = await startTestServer({ config: { devicePollIntervalSeconds: 1 } });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  ({ home, cleanup: cleanupHome } = createTempHome());
});
afterEach(() => cleanupHome());

const env = () => ({ CODEVF_API_URL: server.baseUrl });
const USER_CODE = /\b([B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4})\b/;

/** Runs `codevf login`, waits for the code on stderr, approves or denies it in the console. */
async function loginAs(user: TestUser, decision: 'approve' | 'deny' = 'approve', args: string[] = []) {
  const cli = startCli(['login', '--no-browser', '--json', ...args], { home, env: env() });
  const stderr = await cli.waitForStderr(USER_CODE);
  const code = USER_CODE.exec(stderr)?.[1] ?? '';
  await decideDeviceLogin(server, user, code, decision);
  return { result: await cli.result, code };
}

function readAuth(): StoredAuth {
  return JSON.parse(readFileSync(authFileFor(home), 'utf8'));
}

function expectNoSecrets(text: string, ...secrets: string[]) {
  for (const s of secrets) expect(text).not.toContain(s);
  expect(text).not.toMatch(/cvf_(at|rt|dc)_/);
}

describe('login → whoami → logout', () => {
  it('logs in through the device flow, verifies with the server, and logs out everywhere', async () => {
    const user = await server.createUser({ credits: 42 });

    const before = await runCli(['whoami', '--json'], { home, env: env() });
    expect(before.code).toBe(0);
    expect(parseJsonOutput(before)).toEqual({
      ok: true,
      data: { loggedIn: false, baseUrl: server.baseUrl, baseUrlSource: 'env' },
    });

    const { result: login, code } = await loginAs(user);
    expect(login.code).toBe(0);
    // The code and where to enter it are printed (on stderr, so stdout stays one JSON document).
    expect(login.stderr).toContain(`${server.baseUrl}/device`);
    expect(login.stderr).toContain(code);
    expect(parseJsonOutput(login)).toEqual({
      ok: true,
      data: {
        loggedIn: true,
        alreadyLoggedIn: false,
        baseUrl: server.baseUrl,
        user: { id: user.id, email: user.email, name: user.name, role: 'customer' },
      },
    });

    const file = authFileFor(home);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    const auth = readAuth();
    expect(Object.keys(auth).sort()).toEqual(['accessToken', 'baseUrl', 'expiresAt', 'refreshToken', 'user', 'userId']);
    expect(auth).toMatchObject({ userId: user.id, baseUrl: server.baseUrl, user: { email: user.email } });
    expect(Date.parse(auth.expiresAt)).toBeGreaterThan(Date.now());

    const who = await runCli(['whoami', '--json'], { home, env: env() });
    expect(who.code).toBe(0);
    expect(parseJsonOutput(who)).toEqual({
      ok: true,
      data: {
        loggedIn: true,
        baseUrl: server.baseUrl,
        baseUrlSource: 'env',
        user: { id: user.id, email: user.email, name: user.name, role: 'customer', credits: 42 },
        verified: true,
        serverReachable: true,
        expiresAt: auth.expiresAt,
      },
    });
    // Without --json: friendly text, and the stored server is used when no address is given.
    const whoText = await runCli(['whoami'], { home });
    expect(whoText.code).toBe(0);
    expect(whoText.stdout).toContain(`as ${user.name} <${user.email}> (customer)`);
    expect(whoText.stdout).toContain('Credits: 42');

    const logout = await runCli(['logout', '--json'], { home, env: env() });
    expect(logout.code).toBe(0);
    expect(parseJsonOutput(logout)).toEqual({ ok: true, data: { wasLoggedIn: true, revoked: true } });
    expect(existsSync(file)).toBe(false);
    // Revoked on the server: the refresh token no longer works.
    expect(await refreshTokenWorks(server, auth.refreshToken)).toBe(false);

    const again = await runCli(['logout', '--json'], { home, env: env() });
    expect(parseJsonOutput(again)).toEqual({ ok: true, data: { wasLoggedIn: false, revoked: false } });
    // The server is remembered across logout: with no flag and no variable, it is still the one.
    const after = await runCli(['whoami', '--json'], { home });
    expect(parseJsonOutput(after)).toEqual({
      ok: true,
      data: { loggedIn: false, baseUrl: server.baseUrl, baseUrlSource: 'remembered' },
    });

    // No token ever reaches the terminal or the server's logs.
    for (const r of [login, who, whoText, logout, again])
      expectNoSecrets(r.stdout + r.stderr, auth.accessToken, auth.refreshToken);
    expectNoSecrets(server.logs.join(''), auth.accessToken, auth.refreshToken);
  });

  it('says so and changes nothing when already logged in; --force logs in again and revokes the old login', async () => {
    const user = await server.createUser();
    const { auth } = await storeLogin(server, home, user);
    const fileBefore = readFileSync(authFileFor(home), 'utf8');
    const countCodes = async () =>
      Number(
        (
          await server.ctx.storage.db
            .selectFrom('device_codes')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const codesBefore = await countCodes();

    const second = await runCli(['login', '--no-browser', '--json'], { home, env: env() });
    expect(second.code).toBe(0);
    expect(parseJsonOutput(second)).toMatchObject({
      ok: true,
      data: { alreadyLoggedIn: true, user: { email: user.email } },
    });
    expect(second.stderr).toContain('Already logged in');
    expect(readFileSync(authFileFor(home), 'utf8')).toBe(fileBefore);
    expect(await countCodes()).toBe(codesBefore);

    const human = await runCli(['login', '--no-browser'], { home, env: env() });
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('');
    expect(human.stderr).toContain('--force');

    const { result } = await loginAs(user, 'approve', ['--force']);
    expect(result.code).toBe(0);
    expect(parseJsonOutput(result)).toMatchObject({ ok: true, data: { alreadyLoggedIn: false } });
    expect(readAuth().refreshToken).not.toBe(auth.refreshToken);
    expect(await refreshTokenWorks(server, auth.refreshToken)).toBe(false);
  });
});

describe('not logged in', () => {
  it('whoami answers loggedIn:false with exit 0, in text and JSON', async () => {
    const text = await runCli(['whoami'], { home, env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Not logged in');
    expect(text.stderr).toContain('codevf login');
    const json = await runCli(['whoami', '--json'], { home });
    expect(parseJsonOutput(json)).toEqual({
      ok: true,
      data: { loggedIn: false, baseUrl: 'http://127.0.0.1:7878', baseUrlSource: 'default' },
    });
  });

  it('logout is a no-op that says so', async () => {
    const text = await runCli(['logout'], { home, env: env() });
    expect(text.code).toBe(0);
    expect(text.stderr).toContain('Not logged in');
    expect(text.stdout).toBe('');
  });

  it('a login stored for another server is not used (its token is never sent there)', async () => {
    const user = await server.createUser();
    await storeLogin(server, home, user, { baseUrl: 'http://127.0.0.2:9' });
    const who = await runCli(['whoami', '--json'], { home, env: env() });
    expect(who.code).toBe(0);
    expect(parseJsonOutput(who)).toEqual({
      ok: true,
      data: { loggedIn: false, baseUrl: server.baseUrl, baseUrlSource: 'env' },
    });
    expect(who.stderr).toContain('http://127.0.0.2:9');
  });
});

describe('failures', () => {
  it('a revoked login gives E_UNAUTHORIZED and exit 4', async () => {
    const user = await server.createUser();
    const { tokens } = await storeLogin(server, home, user);
    await fetch(`${server.baseUrl}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refreshToken }),
    });
    const who = await runCli(['whoami', '--json'], { home, env: env() });
    expect(who.code).toBe(4);
    expect(parseJsonOutput(who)).toMatchObject({
      ok: false,
      error: { code: 'E_UNAUTHORIZED', hint: 'Run: codevf login --force' },
    });
    const text = await runCli(['whoami'], { home, env: env() });
    expect(text.code).toBe(4);
    expect(text.stderr).toMatch(/Error: .*revoked/);
    expect(text.stderr).toContain('Hint: Run: codevf login --force');
    expectNoSecrets(who.stdout + who.stderr + text.stderr, tokens.accessToken, tokens.refreshToken);
  });

  it('an expired access token is refreshed transparently and the rotated tokens are saved', async () => {
    const user = await server.createUser();
    const { auth } = await storeLogin(server, home, user, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    const who = await runCli(['whoami', '--json'], { home, env: env() });
    expect(who.code).toBe(0);
    expect(parseJsonOutput(who)).toMatchObject({ ok: true, data: { verified: true, user: { id: user.id } } });
    const after = readAuth();
    expect(after.refreshToken).not.toBe(auth.refreshToken);
    expect(after.accessToken).not.toBe(auth.accessToken);
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.now());
    expect(statSync(authFileFor(home)).mode & 0o777).toBe(0o600);
    // The old refresh token was used once; a replay of it would revoke the login.
    expect(await refreshTokenWorks(server, after.refreshToken)).toBe(true);
  });

  it('server down: login fails with E_UNREACHABLE exit 5; whoami shows the stored login unverified; logout deletes locally and warns', async () => {
    const url = await deadUrl();
    const login = await runCli(['login', '--no-browser', '--json'], { home, env: { CODEVF_API_URL: url } });
    expect(login.code).toBe(5);
    expect(parseJsonOutput(login)).toMatchObject({ ok: false, error: { code: 'E_UNREACHABLE' } });

    const user = await server.createUser();
    await storeLogin(server, home, user, { baseUrl: url });
    const who = await runCli(['whoami', '--json'], { home });
    expect(who.code).toBe(0);
    expect(parseJsonOutput(who)).toMatchObject({
      ok: true,
      data: { loggedIn: true, verified: false, serverReachable: false, user: { email: user.email } },
    });
    expect(who.stderr).toContain('Warning');

    const logout = await runCli(['logout', '--json'], { home });
    expect(logout.code).toBe(0);
    expect(parseJsonOutput(logout)).toEqual({ ok: true, data: { wasLoggedIn: true, revoked: false } });
    expect(logout.stderr).toMatch(/could not be told/);
    expect(existsSync(authFileFor(home))).toBe(false);
  });

  it('a denied login ends with E_LOGIN_DENIED, exit 6, and stores nothing', async () => {
    const user = await server.createUser();
    const { result } = await loginAs(user, 'deny');
    expect(result.code).toBe(6);
    expect(parseJsonOutput(result)).toMatchObject({ ok: false, error: { code: 'E_LOGIN_DENIED' } });
    expect(existsSync(authFileFor(home))).toBe(false);
  });

  it('an expired code ends with E_LOGIN_EXPIRED and exit 4', async () => {
    const shortLived = await startTestServer({ config: { devicePollIntervalSeconds: 1, deviceCodeTtlSeconds: 2 } });
    try {
      const result = await runCli(['login', '--no-browser'], { home, env: { CODEVF_API_URL: shortLived.baseUrl } });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('expired');
      expect(result.stderr).toContain('Hint: Run: codevf login again');
      expect(existsSync(authFileFor(home))).toBe(false);
    } finally {
      await shortLived.close();
    }
  });

  it('Ctrl+C while waiting for approval exits 130', async () => {
    const cli = startCli(['login', '--no-browser', '--json'], { home, env: env() });
    await cli.waitForStderr(USER_CODE);
    cli.kill('SIGINT');
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(parseJsonOutput(result)).toMatchObject({ ok: false, error: { code: 'E_CANCELLED' } });
  });

  it('a corrupt auth.json is E_CONFIG_INVALID naming the file; logout removes it', async () => {
    const file = authFileFor(home);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{"accessToken": 12');
    const who = await runCli(['whoami', '--json'], { home, env: env() });
    expect(who.code).toBe(1);
    expect(parseJsonOutput(who)).toMatchObject({ ok: false, error: { code: 'E_CONFIG_INVALID' } });
    expect(who.stdout).toContain(file);
    const login = await runCli(['login', '--no-browser'], { home, env: env() });
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('codevf login --force');
    const logout = await runCli(['logout', '--json'], { home, env: env() });
    expect(parseJsonOutput(logout)).toEqual({ ok: true, data: { wasLoggedIn: true, revoked: false } });
    expect(existsSync(file)).toBe(false);
  });

  it('login --force replaces a corrupt auth.json', async () => {
    const user = await server.createUser();
    const file = authFileFor(home);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'not json');
    const { result } = await loginAs(user, 'approve', ['--force']);
    expect(result.code).toBe(0);
    expect(readAuth().userId).toBe(user.id);
  });

  it('tightens a config folder that was left group/world readable', async () => {
    const user = await server.createUser();
    const dir = dirname(authFileFor(home));
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    const { result } = await loginAs(user);
    expect(result.code).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(authFileFor(home)).mode & 0o777).toBe(0o600);
  });

  it('refuses plain http:// to a non-loopback host, and bad flags are usage errors (exit 2)', async () => {
    const insecure = await runCli(['login', '--json', '--base-url', 'http://codevf.example.com'], { home });
    expect(insecure.code).toBe(2);
    expect(parseJsonOutput(insecure)).toMatchObject({ ok: false, error: { code: 'E_INSECURE_URL' } });
    const fromEnv = await runCli(['whoami', '--json'], { home, env: { CODEVF_API_URL: 'http://10.0.0.1:7878' } });
    expect(parseJsonOutput(fromEnv)).toMatchObject({ ok: false, error: { code: 'E_INSECURE_URL' } });

    const bad = await runCli(['whoami', '--json', '--frobnicate'], { home });
    expect(bad.code).toBe(2);
    expect(parseJsonOutput(bad)).toMatchObject({ ok: false, error: { code: 'E_VALIDATION' } });
    const unknown = await runCli(['whoamy'], { home });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean: codevf whoami');
  });
});

describe('help and version', () => {
  it('prints the package version and --help for every registered command', async () => {
    const version = await runCli(['--version'], { home });
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const root = await runCli(['--help'], { home });
    expect(root.code).toBe(0);
    for (const { name } of COMMANDS) {
      expect(root.stdout).toContain(`  ${name} `);
      const help = await runCli([name, '--help'], { home });
      expect(help.code, name).toBe(0);
      expect(help.stdout).toContain(`Usage: codevf ${name}`);
    }
  });
});
