import { describe, expect, it } from 'vitest';
import fix from '../../src/commands/fix';
import { type CommandWorld, withCommandWorld } from './commandWorld';
import type { FakeApiServer } from './fakeApiServer';

/**
 * The checks `codevf fix` makes before a live session starts. The session itself needs a
 * terminal and a live server; the e2e tests drive it in a pseudo-terminal.
 */
let server: FakeApiServer;
let world: CommandWorld;
withCommandWorld((s, w) => {
  server = s;
  world = w;
});

const issue = (text: string) => ({ args: { issue: text.split(' ') } });

describe('fix handler, before the session starts', () => {
  it('--resume without an id is E_VALIDATION', async () => {
    const { error } = await world.handle(fix, { flags: { resume: '  ' } });
    expect(error).toMatchObject({
      code: 'E_VALIDATION',
      message: '--resume needs the id of the task to resume.',
      exitCode: 2,
    });
  });

  it('an issue and --resume together are E_VALIDATION', async () => {
    const { error } = await world.handle(fix, { ...issue('login is broken'), flags: { resume: 't_1' } });
    expect(error).toMatchObject({
      code: 'E_VALIDATION',
      message: 'Give either an issue or --resume <taskId>, not both.',
    });
  });

  it('a malformed tuning variable is E_VALIDATION naming it and its value', async () => {
    for (const [name, value, min] of [
      ['CODEVF_MAX_RECONNECTS', '-1', 0],
      ['CODEVF_MAX_RECONNECTS', 'many', 0],
      ['CODEVF_RECONNECT_DELAY_MS', '0', 1],
      ['CODEVF_QUEUE_PROMPT_SECONDS', '1.5', 1],
    ] as const) {
      const { error } = await world.handle(fix, issue('slow'), { env: { [name]: value } });
      expect(error).toMatchObject({
        code: 'E_VALIDATION',
        message: `${name} must be a whole number of at least ${min}; it is "${value}".`,
      });
    }
  });

  it('usage problems are reported before the login is looked at', async () => {
    const { error } = await world.handle(fix, { flags: { resume: '' } }, { env: { CODEVF_API_URL: server.baseUrl } });
    expect(error).toMatchObject({ code: 'E_VALIDATION' });
  });

  it('not logged in is E_NOT_LOGGED_IN (exit 4), also in a terminal', async () => {
    const { error } = await world.handle(fix, issue('slow'), { tty: true, env: { CODEVF_API_URL: server.baseUrl } });
    expect(error).toMatchObject({ code: 'E_NOT_LOGGED_IN', message: 'You are not logged in.', exitCode: 4 });
  });

  it('a login for another server names that server and how to switch', async () => {
    await world.storeLogin(server.login({ baseUrl: 'http://127.0.0.2:9' }));
    const { error } = await world.handle(fix, issue('slow'), { env: { CODEVF_API_URL: server.baseUrl } });
    expect(error).toMatchObject({
      code: 'E_NOT_LOGGED_IN',
      message: `You are logged in to http://127.0.0.2:9, not to ${server.baseUrl}.`,
      hint: `Run: codevf login --force --base-url ${server.baseUrl}`,
    });
  });

  it('logged in but without a terminal (a pipe, CI): E_NO_TTY, exit 2, and no task is created', async () => {
    await world.storeLogin(server.login());
    const piped = await world.handle(fix, issue('login is broken'));
    expect(piped.error).toMatchObject({
      code: 'E_NO_TTY',
      message: '`codevf fix` is a live, interactive session and needs a terminal.',
      exitCode: 2,
    });
    const inCi = await world.handle(fix, { flags: { resume: 't_1' } }, { tty: true, env: { CI: 'true' } });
    expect(inCi.error).toMatchObject({ code: 'E_NO_TTY' });
    expect(server.seen).toEqual([]);
  });
});

describe('codevf fix', () => {
  it('refuses --json: it is interactive (exit 2)', async () => {
    const out = await world.run(['fix', 'slow', '--json']);
    expect(out.code).toBe(2);
    expect(out.json()).toEqual({
      ok: false,
      error: {
        code: 'E_VALIDATION',
        message: 'codevf fix does not support --json (it is interactive).',
        hint: 'Run: codevf fix --help',
      },
    });
  });

  it('without a terminal: the E_NO_TTY message and hint on stderr, exit 2', async () => {
    await world.storeLogin(server.login());
    const out = await world.run(['fix', 'login', 'is', 'broken']);
    expect(out).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'Error: `codevf fix` is a live, interactive session and needs a terminal.\n' +
        'Hint: Run it in a terminal window (not through a pipe, a script or CI). An agent mode is planned.\n',
      json: expect.any(Function),
    });
  });

  it('bare `codevf` without a terminal prints help instead of starting a session', async () => {
    await world.storeLogin(server.login());
    const out = await world.run([]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('fix');
    expect(out.stderr).toBe('');
  });

  it('--resume without a value is a usage error', async () => {
    const out = await world.run(['fix', '--resume']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("Option '--resume <value>' argument missing");
  });
});
