/**
 * `codevf fix` in a real terminal: finished lines are written once and stay in the terminal's
 * scrollback (tmux keeps the history, as a customer's terminal would), the bell rings when a
 * request arrives, the header says the session ended, and a refused start or a bad
 * --max-credits is a plain error with no live screen drawn.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import {
  count,
  engineerJoins,
  type FixWorld,
  lastFrame,
  requestCommand,
  startFix,
  useFixRun,
  waitForCommandPrompt,
  waitForFrame,
  waitForTask,
} from './fix-harness';
import { CLI_PATH, cliEnv } from './harness/cli';

const run = useFixRun();

/** The bells in the raw output (the live screen writes no OSC sequence, which could end in BEL too). */
function bells(raw: string): number {
  return count(raw, '\x07');
}

async function taskOf(world: FixWorld, id: string): Promise<Task> {
  return (await api<Task>(world.server.baseUrl, world.customer, 'GET', `/v1/tasks/${id}`)).body;
}

/**
 * The real CLI in a tmux window of its own (a private tmux server): `history()` is everything
 * the terminal holds, scrollback included, as `tmux capture-pane` reads it.
 */
function startInTmux(world: FixWorld, args: string[], size = { cols: 100, rows: 30 }) {
  const dir = mkdtempSync(join(tmpdir(), 'codevf-tmux-'));
  const socket = join(dir, 'tmux.sock');
  const env = cliEnv(world.home, {
    TERM: 'xterm-256color',
    CODEVF_API_URL: world.server.baseUrl,
    CODEVF_RECONNECT_DELAY_MS: '50',
  });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = join(dir, 'run.sh');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      ...Object.entries(env)
        .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
        .map(([k, v]) => `export ${k}=${quote(v)}`),
      `cd ${quote(world.project)}`,
      `exec ${quote(process.execPath)} ${quote(CLI_PATH)} ${args.map(quote).join(' ')}`,
    ].join('\n'),
    { mode: 0o700 },
  );
  // The tmux server hands its own environment to the window: it gets the CLI's too, so that what
  // cliEnv removes (CI above all, which makes `fix` refuse) is not inherited from the test run.
  const tmux = (...a: string[]) => execFileSync('tmux', ['-S', socket, ...a], { encoding: 'utf8', env });
  tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(size.cols), '-y', String(size.rows), script);
  tmux('set-option', '-g', 'history-limit', '10000');
  // Keep the pane (and its history) after the CLI exits.
  tmux('set-option', '-g', 'remain-on-exit', 'on');
  const history = () => tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-');
  const waitFor = async (pattern: string | RegExp, timeoutMs = 15_000): Promise<string> => {
    const start = Date.now();
    for (;;) {
      const text = history();
      if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
      if (Date.now() - start > timeoutMs) throw new Error(`tmux never showed ${pattern}:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    history,
    waitFor,
    keys: (...keys: string[]) => tmux('send-keys', ...keys),
    close() {
      try {
        tmux('kill-server');
      } catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('codevf fix in a terminal', () => {
  it('the scrollback (tmux history) holds the whole conversation after 200+ lines, in order, each once', async () => {
    const world = await run.world();
    const term = run.closeAfter(startInTmux(world, ['fix', 'users cannot log in']));
    await term.waitFor('Engineer connecting');
    const task = await waitForTask(world);
    const engineer = run.closeAfter(await engineerJoins(world, task.id));
    await term.waitFor('Engineer connected: Maria (ex-FAANG)');

    // The first output of the session: it must still be there after the 200 lines.
    const requestId = await requestCommand(engineer, "printf 'first-output-1\\nfirst-output-2\\n'", 'look');
    await term.waitFor('[y] run once');
    term.keys('y');
    await waitForFrame(engineer, 'command_result', requestId);
    await term.waitFor(/✓ printf[^\n]*exit 0/);

    const lines = Array.from({ length: 210 }, (_, i) => `chat line ${String(i + 1).padStart(3, '0')}`);
    for (const [i, text] of lines.entries()) {
      engineer.send('engineer_message', { text });
      // The customer answers now and then: their lines go through the echo before they are final.
      if (i % 50 === 25) {
        await term.waitFor(`Maria: ${text}`);
        term.keys('-l', `reply after ${i + 1}`);
        term.keys('Enter');
        await engineer.waitFor(
          (f) => f.type === 'customer_message' && (f.payload as { text: string }).text === `reply after ${i + 1}`,
        );
      }
    }
    const history = await term.waitFor(`Maria: ${lines.at(-1)}`, 30_000);
    // Every line once, in the order it was said, with the start of the session above them.
    const positions = lines.map((l) => history.indexOf(`Maria: ${l}\n`));
    expect(positions.filter((p) => p < 0)).toEqual([]);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const l of lines) expect(count(history, `Maria: ${l}\n`)).toBe(1);
    for (const n of [26, 76, 126, 176]) {
      expect(count(history, `You: reply after ${n}`)).toBe(1);
      expect(history.indexOf(`You: reply after ${n}`)).toBeGreaterThan(positions[n - 1] as number);
    }
    expect(history.indexOf('Engineer connected: Maria')).toBeLessThan(history.indexOf('first-output-1'));
    expect(history.indexOf('first-output-2')).toBeLessThan(positions[0] as number);
    expect(count(history, '│ first-output-1')).toBe(1);
    // The live part was redrawn hundreds of times; the history holds only its last frame.
    expect(count(history, 'Credits used:')).toBe(1);
    expect(await taskOf(world, task.id)).toMatchObject({ status: 'active' });
  });

  it('rings the bell when a command request or a screenshare link arrives', async () => {
    const { cli, engineer } = await run.live();
    expect(bells(cli.raw())).toBe(0);
    await requestCommand(engineer, 'echo ring', 'to hear it');
    await waitForCommandPrompt(cli, 'echo ring');
    expect(bells(cli.raw())).toBe(1);
    cli.press('n');
    await cli.waitFor('Command denied by you: echo ring');
    await engineer.expectAck('screenshare_request', { url: 'https://meet.example.test/bell' });
    await cli.waitFor('[o] open in your browser');
    expect(bells(cli.raw())).toBe(2);
    // Chat alone does not ring.
    engineer.send('engineer_message', { text: 'just talking' });
    await cli.waitFor('Maria: just talking');
    expect(bells(cli.raw())).toBe(2);
  });

  it('--no-bell (and CODEVF_BELL=0) keeps the terminal quiet', async () => {
    const world = await run.world();
    for (const options of [{ args: ['fix', '--no-bell', 'quiet please'] }, { env: { CODEVF_BELL: '0' } }]) {
      const cli = run.stopAfter(await startFix(world, options));
      await cli.waitFor('Engineer connecting');
      const task = await waitForTask(world);
      const engineer = run.closeAfter(await engineerJoins(world, task.id));
      await cli.waitFor('Engineer connected: Maria');
      await requestCommand(engineer, 'echo quiet', 'no bell');
      await waitForCommandPrompt(cli, 'echo quiet');
      expect(bells(cli.raw())).toBe(0);
      await engineer.expectAck('end_session', {});
      await cli.waitFor('Rate engineer (1-5):');
      cli.press('escape');
      await cli.exit;
    }
  });

  it('the header says the session ended, not how to leave it', async () => {
    const { cli, engineer } = await run.live();
    expect(lastFrame(cli.screen())).toContain('Press CTRL+C to exit');
    await engineer.expectAck('end_session', { reason: 'All fixed.' });
    await cli.waitFor('Rate engineer (1-5):');
    const frame = lastFrame(cli.screen());
    expect(frame).toMatch(/│ Session ended/);
    expect(frame).toMatch(/│ Billing stopped · Credits used: \d+/);
    expect(frame).not.toContain('Press CTRL+C to exit');
    cli.press('escape');
    expect((await cli.exit).exitCode).toBe(0);
    // The last frame stays on the terminal after the CLI exits: it still says ended.
    const after = lastFrame(cli.screen());
    expect(after).toContain('Session ended');
    expect(after).not.toContain('Press CTRL+C to exit');
  });

  it('no credits: a plain error before any live screen is drawn', async () => {
    const world = await run.world({ credits: 0 });
    const cli = run.stopAfter(await startFix(world));
    const exit = await cli.exit;
    expect(exit.exitCode).toBe(1);
    const screen = cli.screen();
    expect(screen).toContain('your balance is 0');
    expect(screen).not.toContain('Engineer connecting');
    expect(screen).not.toContain('Creating your task');
    expect(screen).not.toContain('╭');
  });

  it('an unknown --resume id: a plain error before any live screen is drawn', async () => {
    const world = await run.world();
    const cli = run.stopAfter(await startFix(world, { args: ['fix', '--resume', '01J9ZZZZZZZZZZZZZZZZZZZZZZ'] }));
    const exit = await cli.exit;
    expect(exit.exitCode).toBe(1);
    expect(cli.screen()).toMatch(/not found|No such task/i);
    expect(cli.screen()).not.toContain('Engineer connecting');
    expect(cli.screen()).not.toContain('╭');
  });

  it('--max-credits N is the task’s limit; 0, -1, 2.5 or words are refused before anything is created', async () => {
    const world = await run.world();
    const cli = run.stopAfter(await startFix(world, { args: ['fix', '--max-credits', '7', 'limit me'] }));
    await cli.waitFor('Engineer connecting');
    const task = await waitForTask(world);
    expect(task.maxCredits).toBe(7);
    await cli.waitFor('Credits used: 0 of at most 7');

    for (const bad of ['0', '-1', '2.5', 'ten']) {
      const refused = run.stopAfter(await startFix(world, { args: ['fix', `--max-credits=${bad}`, 'limit me'] }));
      expect((await refused.exit).exitCode).toBe(2);
      expect(refused.screen()).toContain(`--max-credits must be a whole number 1 or more; got "${bad}".`);
      expect(refused.screen()).not.toContain('╭');
    }
    const resumed = run.stopAfter(await startFix(world, { args: ['fix', '--max-credits', '5', '--resume', task.id] }));
    expect((await resumed.exit).exitCode).toBe(2);
    expect(resumed.screen()).toContain('--max-credits is for a new task');
    const tasks = await api<Task[] | { tasks: Task[] }>(world.server.baseUrl, world.customer, 'GET', '/v1/tasks');
    expect(Array.isArray(tasks.body) ? tasks.body : tasks.body.tasks).toHaveLength(1);
  }, 60_000);

  it('a limit below one minute’s worth is the server’s validation error, before any live screen', async () => {
    const world = await run.world({ config: { creditsPerMinute: 5 } });
    const cli = run.stopAfter(await startFix(world, { args: ['fix', '--max-credits', '3', 'limit me'] }));
    expect((await cli.exit).exitCode).toBe(2);
    expect(cli.screen()).toContain("maxCredits must be at least one minute's worth (5 credits).");
    expect(cli.screen()).not.toContain('╭');
  });
});
