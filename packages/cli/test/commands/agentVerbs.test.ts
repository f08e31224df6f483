import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMode } from '../../src/commands/ask';
import { parseClient } from '../../src/commands/mcp';
import { parseStatus } from '../../src/commands/tasks';
import { parseId, parseWholeNumber } from '../../src/core/parseNumber';
import { type CommandWorld, deadUrl, withCommandWorld } from './commandWorld';

/**
 * Flag parsing of the agent verbs (ask, messages, reply, share-output, share-file, decline,
 * end, tasks, status, mcp), through the real runner: every bad input is E_VALIDATION (exit 2)
 * with the flag named, before the login or the server is looked at. What the verbs do against
 * a server is tested end to end (e2e/agent-verbs.test.ts, e2e/agent-mcp.test.ts).
 */
let world: CommandWorld;
withCommandWorld((_s, w) => {
  world = w;
});

async function usageError(argv: string[], message: string | RegExp) {
  const out = await world.run([...argv, '--json']);
  expect(out.code, argv.join(' ')).toBe(2);
  const body = out.json() as { ok: boolean; error: { code: string; message: string; hint: string } };
  expect(body.ok).toBe(false);
  expect(body.error.code).toBe('E_VALIDATION');
  expect(body.error.message).toMatch(message);
  expect(body.error.hint).toBeTruthy();
}

describe('agent verbs: malformed command lines', () => {
  it('messages: --wait above 55, negative --after, missing task id, unknown flag', async () => {
    await usageError(['messages', 't_1', '--wait', '56'], '--wait must be a whole number from 0 to 55; got "56".');
    await usageError(['messages', 't_1', '--wait', '1.5'], /--wait must be a whole number/);
    await usageError(['messages', 't_1', '--after=-1'], '--after must be a whole number 0 or more; got "-1".');
    await usageError(['messages'], 'Missing <taskId>.');
    await usageError(['messages', 't_1', '--since', '3'], /Unknown option '--since'/);
  });

  it('ask: no question, a bad mode, a bad --max-credits', async () => {
    await usageError(['ask'], 'Missing <question>.');
    await usageError(['ask', 'help', '--mode', 'robot'], '--mode must be one of human, ai, hybrid; got "robot".');
    await usageError(['ask', 'help', '--max-credits', '0'], '--max-credits must be a whole number 1 or more; got "0".');
  });

  it('end: a rating outside 1–5', async () => {
    await usageError(['end', 't_1', '--rating', '6'], '--rating must be a whole number from 1 to 5; got "6".');
    await usageError(['end', 't_1', '--rating', 'great'], /--rating must be a whole number/);
  });

  it('tasks: a bad status or limit', async () => {
    await usageError(['tasks', '--status', 'done'], '--status must be one of queued, active, ended; got "done".');
    await usageError(['tasks', '--limit', '201'], '--limit must be a whole number from 1 to 200; got "201".');
  });

  it('share-output: no --file; share-file and decline: a missing request id', async () => {
    await usageError(['share-output', 't_1', 'r_1'], 'Missing --file: the captured output (or - for stdin).');
    await usageError(['share-file', 't_1'], 'Missing <requestId>.');
    await usageError(['decline', 't_1'], 'Missing <requestId>.');
    await usageError(['reply', 't_1'], 'Missing <text>.');
  });

  it('mcp: an unknown action or client, and --client without install', async () => {
    await usageError(['mcp', 'uninstall'], 'Unknown action "uninstall"; the only one is install.');
    await usageError(
      ['mcp', 'install', '--client', 'vim'],
      /--client must be one of claude-code, codex, gemini, cursor/,
    );
    await usageError(['mcp', 'install'], /--client must be one of/);
    await usageError(['mcp', '--print'], '--client and --print belong to: codevf mcp install');
  });

  it('the same verbs with good flags get past parsing: not logged in is E_NOT_LOGGED_IN (exit 4)', async () => {
    const env = { CODEVF_API_URL: await deadUrl() };
    for (const argv of [
      ['messages', 't_1', '--after', '3', '--wait', '55'],
      ['end', 't_1', '--rating', '5'],
      ['tasks', '--status', 'ended', '--limit', '200'],
      ['ask', 'why', 'is', 'it', 'slow', '--mode', 'HUMAN'],
      ['decline', 't_1', 'r_1', '--reason', 'no'],
    ]) {
      const out = await world.run([...argv, '--json'], { env });
      expect(out.code, argv.join(' ')).toBe(4);
      expect(out.json()).toMatchObject({ ok: false, error: { code: 'E_NOT_LOGGED_IN' } });
    }
  });

  it('status: not logged in is data, exit 0', async () => {
    const out = await world.run(['status', '--json'], { env: { CODEVF_API_URL: await deadUrl() } });
    expect(out.code).toBe(0);
    expect(out.json()).toMatchObject({ ok: true, data: { loggedIn: false, serverReachable: null, openTasks: [] } });
  });
});

describe('codevf mcp install through the runner', () => {
  it('writes the project’s .mcp.json once, says so, and --print only shows the entry', async () => {
    const home = join(world.cwd, 'home');
    mkdirSync(home);
    const env = { HOME: home };
    const printed = await world.run(['mcp', 'install', '--client', 'claude-code', '--print'], { env });
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual({ mcpServers: { codevf: { command: 'codevf', args: ['mcp'] } } });
    expect(printed.stderr).toContain('Not written (--print).');
    expect(() => readFileSync(join(world.cwd, '.mcp.json'))).toThrow();

    const first = await world.run(['mcp', 'install', '--client', 'claude-code', '--json'], { env });
    expect(first.json()).toMatchObject({
      ok: true,
      data: { client: 'claude-code', file: join(world.cwd, '.mcp.json'), change: 'added', written: true },
    });
    const again = await world.run(['mcp', 'install', '--client', 'claude-code'], { env });
    expect(again.stderr).toContain('already has CodeVF; nothing changed.');
    const codex = await world.run(['mcp', 'install', '--client', 'codex'], { env });
    expect(codex.stderr).toContain(`Added the codevf MCP server in ${join(home, '.codex', 'config.toml')}.`);
  });
});

describe('value parsers', () => {
  it('parseWholeNumber: numbers and strings, ranges, undefined', () => {
    expect(parseWholeNumber('--n', '7', { min: 0, max: 10 })).toBe(7);
    expect(parseWholeNumber('--n', 7, { min: 0 })).toBe(7);
    expect(parseWholeNumber('--n', undefined, { min: 0 })).toBeUndefined();
    for (const bad of ['', ' ', '1e3', '0x10', '11', '-1', 'NaN']) {
      expect(() => parseWholeNumber('--n', bad, { min: 0, max: 10 }), bad).toThrow(/--n must be a whole number/);
    }
  });

  it('parseId: one word up to 64 characters', () => {
    expect(parseId('taskId', ' t_1 ')).toBe('t_1');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(65)])
      expect(() => parseId('taskId', bad)).toThrow(/taskId must be an id/);
  });

  it('parseMode, parseStatus, parseClient accept any case and name the choices otherwise', () => {
    expect(parseMode('Hybrid')).toBe('hybrid');
    expect(parseStatus('ACTIVE')).toBe('active');
    expect(parseClient('Claude-Code')).toBe('claude-code');
    expect(() => parseMode('x')).toThrow(/human, ai, hybrid/);
    expect(() => parseStatus('x')).toThrow(/queued, active, ended/);
    expect(() => parseClient(undefined)).toThrow(/claude-code, codex, gemini, cursor/);
  });
});
