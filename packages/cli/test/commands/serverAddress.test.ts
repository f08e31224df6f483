import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CommandWorld, deadUrl, withCommandWorld } from './commandWorld';
import type { FakeApiServer } from './fakeApiServer';

let server: FakeApiServer;
let world: CommandWorld;
withCommandWorld((s, w) => {
  server = s;
  world = w;
});

const remembered = () => JSON.parse(readFileSync(world.serverFile, 'utf8')) as { baseUrl: string };
const deviceStarts = () => server.seen.filter((r) => r.path === '/oauth/device_authorization').length;

describe('the server address across login and logout', () => {
  it('logout keeps the server; the next login (no flag, no variable) goes back to it', async () => {
    const first = await world.run(['login', '--base-url', server.baseUrl, '--no-browser', '--json']);
    expect(first.code).toBe(0);
    expect(remembered()).toEqual({ baseUrl: server.baseUrl });

    const out = await world.run(['logout', '--json']);
    expect(out.json()).toEqual({ ok: true, data: { wasLoggedIn: true, revoked: true } });
    expect(existsSync(world.authFile)).toBe(false);
    expect(remembered()).toEqual({ baseUrl: server.baseUrl });

    const who = await world.run(['whoami', '--json']);
    expect(who.json()).toEqual({
      ok: true,
      data: { loggedIn: false, baseUrl: server.baseUrl, baseUrlSource: 'remembered' },
    });

    server.seen.length = 0;
    const again = await world.run(['login', '--no-browser', '--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ ok: true, data: { loggedIn: true, baseUrl: server.baseUrl } });
    expect(deviceStarts()).toBe(1);
    expect((await world.readLogin())?.baseUrl).toBe(server.baseUrl);
  });

  it('a login from before server.json existed: logout still remembers its server', async () => {
    await world.storeLogin(server.login());
    expect(existsSync(world.serverFile)).toBe(false);
    expect((await world.run(['logout'])).code).toBe(0);
    expect(remembered()).toEqual({ baseUrl: server.baseUrl });
  });

  it('--base-url and CODEVF_API_URL still win over the remembered server, and whoami names the source', async () => {
    mkdirSync(dirname(world.serverFile), { recursive: true });
    writeFileSync(world.serverFile, JSON.stringify({ baseUrl: 'https://remembered.example.com' }));
    const other = await deadUrl();

    const byEnv = await world.run(['whoami', '--json'], { env: { CODEVF_API_URL: other } });
    expect(byEnv.json()).toMatchObject({ data: { baseUrl: other, baseUrlSource: 'env' } });
    const byFlag = await world.run(['whoami', '--json', '--base-url', server.baseUrl], {
      env: { CODEVF_API_URL: other },
    });
    expect(byFlag.json()).toMatchObject({ data: { baseUrl: server.baseUrl, baseUrlSource: 'flag' } });
    const byMemory = await world.run(['whoami']);
    expect(byMemory.stdout).toBe('Not logged in to https://remembered.example.com (remembered from the last login).\n');
  });

  it('nothing remembered: the default, and whoami says it is the default', async () => {
    const out = await world.run(['whoami']);
    expect(out.stdout).toBe('Not logged in to http://127.0.0.1:7878 (the default).\n');
  });

  it('logging in elsewhere with --base-url replaces the remembered server', async () => {
    mkdirSync(dirname(world.serverFile), { recursive: true });
    writeFileSync(world.serverFile, JSON.stringify({ baseUrl: await deadUrl() }));
    expect((await world.run(['login', '--base-url', server.baseUrl, '--no-browser'])).code).toBe(0);
    expect(remembered()).toEqual({ baseUrl: server.baseUrl });
  });

  it('a corrupt server.json is E_CONFIG_INVALID naming the file, never a silent fall back to the default', async () => {
    mkdirSync(dirname(world.serverFile), { recursive: true });
    writeFileSync(world.serverFile, '{"baseUrl":');
    const out = await world.run(['login', '--no-browser', '--json']);
    expect(out.code).toBe(1);
    expect(out.json()).toEqual({
      ok: false,
      error: {
        code: 'E_CONFIG_INVALID',
        message: expect.stringContaining(world.serverFile),
        hint: expect.stringContaining('--base-url'),
      },
    });
    expect(deviceStarts()).toBe(0);
    // Naming the server bypasses the file, and the login then rewrites it.
    expect((await world.run(['login', '--base-url', server.baseUrl, '--no-browser'])).code).toBe(0);
    expect(remembered()).toEqual({ baseUrl: server.baseUrl });
  });
});
