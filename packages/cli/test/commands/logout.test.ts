import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CLI_CLIENT_ID } from '@codevf/protocol/constants';
import { describe, expect, it } from 'vitest';
import logout from '../../src/commands/logout';
import { type CommandWorld, deadUrl, withCommandWorld } from './commandWorld';
import type { FakeApiServer } from './fakeApiServer';

let server: FakeApiServer;
let world: CommandWorld;
withCommandWorld((s, w) => {
  server = s;
  world = w;
});

describe('logout handler', () => {
  it('revokes the refresh token on the server and deletes the local login', async () => {
    const auth = server.login();
    await world.storeLogin(auth);
    const { result, io } = await world.handle(logout);
    expect(result).toEqual({ wasLoggedIn: true, revoked: true });
    expect(existsSync(world.authFile)).toBe(false);
    expect(server.refreshTokenWorks(auth.refreshToken)).toBe(false);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.path).toBe('/oauth/revoke');
    expect(Object.fromEntries(new URLSearchParams(server.seen[0]?.body))).toEqual({
      token: auth.refreshToken,
      token_type_hint: 'refresh_token',
      client_id: CLI_CLIENT_ID,
    });
    expect(io.stderrText()).toBe('');
  });

  it('not logged in: nothing to do, nothing sent', async () => {
    const { result } = await world.handle(logout, {}, { env: { CODEVF_API_URL: server.baseUrl } });
    expect(result).toEqual({ wasLoggedIn: false, revoked: false });
    expect(server.seen).toEqual([]);
  });

  it('revokes at the server that issued the login, not at --base-url', async () => {
    const auth = server.login();
    await world.storeLogin(auth);
    const { result } = await world.handle(logout, {}, { baseUrlFlag: await deadUrl() });
    expect(result).toEqual({ wasLoggedIn: true, revoked: true });
    expect(server.revoked).toContain(auth.refreshToken);
  });

  it('server down: deletes the local login and warns that the server was not told', async () => {
    await world.storeLogin(server.login({ baseUrl: await deadUrl() }));
    const { result, io } = await world.handle(logout);
    expect(result).toEqual({ wasLoggedIn: true, revoked: false });
    expect(existsSync(world.authFile)).toBe(false);
    expect(io.stderrText()).toMatch(
      /^Warning: Cannot reach the CodeVF server at .* The server could not be told; the login may stay valid there until it expires\.\n$/,
    );
  });

  it('the server refuses to revoke: deleted locally, with the HTTP status in a warning', async () => {
    server.setRevokeStatus(503);
    await world.storeLogin(server.login());
    const { result, io } = await world.handle(logout);
    expect(result).toEqual({ wasLoggedIn: true, revoked: false });
    expect(existsSync(world.authFile)).toBe(false);
    expect(io.stderrText()).toBe('Warning: The server refused to revoke the login (HTTP 503).\n');
  });

  it('a corrupt auth.json is deleted (logging out is its remedy) without asking any server', async () => {
    mkdirSync(dirname(world.authFile), { recursive: true });
    writeFileSync(world.authFile, 'not json');
    const { result, io } = await world.handle(logout, {}, { env: { CODEVF_API_URL: server.baseUrl } });
    expect(result).toEqual({ wasLoggedIn: true, revoked: false });
    expect(existsSync(world.authFile)).toBe(false);
    expect(io.stderrText()).toMatch(/^Warning: .* Deleting it\.\n$/);
    expect(server.seen).toEqual([]);
  });

  it('interrupted (Ctrl+C) before the server answered: the login is kept, exit 130', async () => {
    await world.storeLogin(server.login());
    const ctrlC = new AbortController();
    ctrlC.abort();
    const { error } = await world.handle(logout, {}, { signal: ctrlC.signal });
    expect(error).toMatchObject({ code: 'E_CANCELLED', exitCode: 130 });
    expect(existsSync(world.authFile)).toBe(true);
  });
});

describe('codevf logout', () => {
  it('--json: the envelope with exit 0, and a second run is a no-op', async () => {
    await world.storeLogin(server.login());
    const first = await world.run(['logout', '--json']);
    expect(first.code).toBe(0);
    expect(first.json()).toEqual({ ok: true, data: { wasLoggedIn: true, revoked: true } });
    const second = await world.run(['logout', '--json'], { env: { CODEVF_API_URL: server.baseUrl } });
    expect(second.code).toBe(0);
    expect(second.json()).toEqual({ ok: true, data: { wasLoggedIn: false, revoked: false } });
  });

  it('text: what happened goes to stderr, nothing to stdout', async () => {
    await world.storeLogin(server.login());
    expect(await world.run(['logout'])).toMatchObject({ code: 0, stdout: '', stderr: 'Logged out.\n' });
    const none = await world.run(['logout'], { env: { CODEVF_API_URL: server.baseUrl } });
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: 'Not logged in; nothing to do.\n' });
    await world.storeLogin(server.login({ baseUrl: await deadUrl() }));
    const offline = await world.run(['logout']);
    expect(offline.code).toBe(0);
    expect(offline.stderr).toMatch(/Logged out on this machine\.\n$/);
  });

  it('bad flags are E_VALIDATION, exit 2, and nothing is deleted', async () => {
    await world.storeLogin(server.login());
    const out = await world.run(['logout', '--all', '--json']);
    expect(out.code).toBe(2);
    expect(out.json()).toMatchObject({ ok: false, error: { code: 'E_VALIDATION' } });
    expect(existsSync(world.authFile)).toBe(true);
  });
});
