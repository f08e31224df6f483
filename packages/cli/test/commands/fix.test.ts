import { describe, expect, it } from 'vitest';
import fix from '../../src/commands/fix';
import { AI_TERMS } from '../support/aiTerms';
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
  it('--resume with more than one word is E_VALIDATION (an id is one word)', async () => {
    const { error } = await world.handle(fix, { ...issue('t_1 t_2'), flags: { resume: true } });
    expect(error).toMatchObject({
      code: 'E_VALIDATION',
      message: 'Give either an issue or --resume <taskId>, not both.',
      exitCode: 2,
    });
  });

  it('an issue and --resume together are E_VALIDATION', async () => {
    const { error } = await world.handle(fix, { ...issue('t_1 login is broken'), flags: { resume: true } });
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
    const { error } = await world.handle(
      fix,
      { ...issue('t_1 t_2'), flags: { resume: true } },
      { env: { CODEVF_API_URL: server.baseUrl } },
    );
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
    const inCi = await world.handle(
      fix,
      { ...issue('t_1'), flags: { resume: true } },
      { tty: true, env: { CI: 'true' } },
    );
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
        'Hint: Run it in a terminal window (not through a pipe, a script or CI). From an agent or a script, use: codevf ask\n',
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

  it('--resume without an id looks for the open task, which needs the login', async () => {
    const out = await world.run(['fix', '--resume'], { env: { CODEVF_API_URL: server.baseUrl } });
    expect(out.code).toBe(4);
    expect(out.stderr).toContain('You are not logged in.');
  });
});

describe('codevf fix --mode', () => {
  /** A whole session in memory: the UI draws into the world's stdout, the fake server ends it. */
  async function session(argv: string[]) {
    await world.storeLogin(server.login());
    const out = await world.run(['fix', ...argv], {
      terminal: true,
      env: { CODEVF_API_URL: server.baseUrl, NO_COLOR: '1' },
    });
    // Ink writes the last frame when it lets go of a screen that is not a real terminal.
    return { ...out, screen: out.stdout.replace(/\s+/g, ' ') };
  }
  const body = () => JSON.parse(server.seen.find((r) => r.path === '/v1/tasks')?.body ?? 'null');

  it.each(['human', 'ai', 'hybrid'] as const)('--mode %s is sent with the task', async (mode) => {
    const out = await session(['--mode', mode, 'login', 'is', 'broken']);
    expect(out.stderr).toContain('Session ended');
    expect(out.code).toBe(0);
    expect(body()).toEqual({ description: 'login is broken', mode });
  });

  it('takes the mode in any case', async () => {
    await session(['--mode', 'Hybrid', 'slow']);
    expect(body()).toEqual({ description: 'slow', mode: 'hybrid' });
  });

  it('without --mode sends none (the server decides), and reads the AI terms at the start', async () => {
    const out = await session(['slow', 'page']);
    expect(out.code).toBe(0);
    expect(body()).toEqual({ description: 'slow page' });
    expect(server.seen.map((r) => `${r.method} ${r.path}`)).toContain('GET /v1/ai');
  });

  it('an unknown mode is a usage error naming the choices, before anything is sent', async () => {
    await world.storeLogin(server.login());
    const out = await world.run(['fix', '--mode', 'robot', 'slow'], { terminal: true, env: { NO_COLOR: '1' } });
    expect(out).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'Error: --mode must be one of human, ai, hybrid; got "robot".\nHint: Run: codevf fix --help\n',
    });
    for (const bad of ['', ' ', 'humans', 'ai,hybrid']) {
      const again = await world.run(['fix', '--mode', bad, 'slow'], { terminal: true, env: { NO_COLOR: '1' } });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain(`Error: --mode must be one of human, ai, hybrid; got ${JSON.stringify(bad)}.`);
    }
    expect(server.seen).toEqual([]);
  });

  it('--mode with --resume is a usage error: a resumed task keeps its mode', async () => {
    const out = await world.run(['fix', '--mode', 'ai', '--resume', 't_1']);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      'Error: --mode is for a new task; a resumed task keeps the mode it has.\nHint: Run: codevf fix --help\n',
    );
  });

  it('prints why the server made the task human-only, escaped, and copes with a server without /v1/ai', async () => {
    server.setModeNote('This project does not allow GPT (allowed: claude).\x1b[2J');
    const out = await session(['slow']);
    expect(out.code).toBe(0);
    expect(server.seen.find((r) => r.path === '/v1/ai')).toBeDefined();
    expect(out.screen).toContain(
      'Human engineers only for this task: This project does not allow GPT (allowed: claude).␛[2J',
    );
    expect(out.stdout).not.toContain('\x1b[2J');
    expect(out.screen).not.toContain('AI terms');
  });

  it('E_AI_UNAVAILABLE from the server: its message and hint, exit 1, no session', async () => {
    server.refuseTasks({
      status: 503,
      code: 'E_AI_UNAVAILABLE',
      detail: 'This server has no AI participant; ai and hybrid modes are unavailable.',
    });
    const out = await session(['--mode', 'ai', 'slow']);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      'Error: This server has no AI participant; ai and hybrid modes are unavailable.\n' +
        'Hint: Use --mode human, or ask the operator to set CODEVF_AI_BASE_URL and CODEVF_AI_MODEL.\n',
    );
    expect(body()).toEqual({ description: 'slow', mode: 'ai' });
  });

  it("E_AI_NOT_ALLOWED from the server: its message and the server's hint, exit 1", async () => {
    server.refuseTasks({
      status: 403,
      code: 'E_AI_NOT_ALLOWED',
      // A project's allowed tools are its owner's text; the message quotes them.
      detail: 'This project does not allow GPT (allowed: claude\x1b[2J).',
      hint: 'Use --mode human, or run `codevf init` again and allow gpt.',
    });
    const out = await session(['--mode', 'hybrid', 'slow']);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      'Error: This project does not allow GPT (allowed: claude␛[2J).\n' +
        'Hint: Use --mode human, or run `codevf init` again and allow gpt.\n',
    );
  });

  it('names the AI as the AI on its lines (a session the AI led, ended by the server)', async () => {
    server.setAiInfo({ ...AI_TERMS, freeMinutesLeft: 30 });
    server.scriptSession([
      { type: 'task_status', payload: { status: 'active' } },
      {
        type: 'engineer_connected',
        payload: { engineer: { id: 'codevf-ai', name: 'Codie', title: 'qwen2.5-coder' }, kind: 'ai' },
      },
      { type: 'engineer_message', payload: { text: 'Hi! Which test fails?' } },
      {
        type: 'session_end',
        payload: {
          endedBy: 'system',
          reason: 'The test is over.',
          summary: { engineer: null, durationSeconds: 60, creditsUsed: 0 },
        },
      },
    ]);
    const out = await session(['--mode', 'hybrid', 'slow']);
    expect(out.code).toBe(0);
    expect(out.screen).toContain('AI assistant connected: Codie (qwen2.5-coder)');
    expect(out.screen).toMatch(/\[\d\d:\d\d\] AI Codie: Hi! Which test fails\?/);
    // The summary names who helped as the AI.
    expect(out.screen).toMatch(/Session Summary[\s│─]+AI assistant: —/);
  });
});
