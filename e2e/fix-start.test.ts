/**
 * The start of `codevf fix`, through the real CLI in a pseudo-terminal and a headless terminal:
 * in hybrid mode the AI's first words are on screen before the full (Ink) screen has loaded, the
 * full screen then takes the terminal over without leaving a line of the first frame behind,
 * and what was typed in between is not lost; a task that cannot be created (it is asked for
 * before the session's modules load) ends in a clear error. The model is the scripted
 * OpenAI-compatible server of the tests.
 */

import { createServer } from 'node:net';
import xtermHeadless from '@xterm/headless';
import { afterAll, describe, expect, it } from 'vitest';
import { aiSettings } from '../packages/server/test/support/aiSettings';
import { api } from '../packages/server/test/support/api';
import { startScriptedModel } from '../packages/server/test/support/scriptedModel';
import { startFix, useFixRun, writeProjectConfig } from './fix-harness';
import { createTempHome, loginRecord, spawnCliPty, writeAuthFile } from './harness/cli';
import { terminalScreen } from './harness/terminalScreen';

const model = await startScriptedModel();
afterAll(() => model.close());
const run = useFixRun();
const COLS = 110;
const ROWS = 30;
const GREETING = 'Hello Ann, I am looking at the login failure now.';

const count = (text: string, part: string) => text.split(part).length - 1;

/** Every row the terminal holds, scrollback included: a line the full screen scrolled away still counts. */
function allRows(raw: string): Promise<string> {
  const term = new xtermHeadless.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 1000 });
  return new Promise((resolve) =>
    term.write(raw, () => {
      const buf = term.buffer.active;
      const rows: string[] = [];
      for (let y = 0; y < buf.length; y++) rows.push(buf.getLine(y)?.translateToString(true) ?? '');
      term.dispose();
      resolve(rows.join('\n'));
    }),
  );
}

describe('codevf fix: the start', () => {
  it('shows the AI’s first words before Ink is up, then hands over cleanly; keys typed meanwhile arrive', async () => {
    const world = await run.world({
      config: { ai: aiSettings({ baseUrl: model.baseUrl, driver: true, vendor: 'gpt', timeoutSeconds: 10 }) },
    });
    // A project that allows the AI's vendor, on the server and in .codevf/config.json.
    const project = await api<{ id: string }>(world.server.baseUrl, world.customer, 'POST', '/v1/projects', {
      name: 'login-app',
      type: 'node',
      testCommand: 'npm test',
      allowedTools: ['gpt'],
    });
    expect(project.status).toBe(201);
    await writeProjectConfig(world, { projectId: project.body.id, allowedTools: ['gpt'] });
    model.respond((_request, index) => ({ text: index === 0 ? GREETING : 'You are welcome.' }));
    const cli = run.stopAfter(
      await startFix(world, {
        args: ['fix', '--mode', 'hybrid', 'login fails'],
        cols: COLS,
        rows: ROWS,
        // The full screen waits for the first words however slow this machine is right now.
        env: { CODEVF_FULL_SCREEN_AFTER_MS: '30000' },
      }),
    );
    const screen = terminalScreen(cli, COLS, ROWS);
    run.closeAfter({ close: () => screen.dispose() });

    await cli.waitFor(GREETING);
    // Typed as soon as the words are there, whether or not the full screen is up yet.
    cli.write('thanks');
    cli.press('enter');
    // The footer's credits line is drawn only by the full screen: the words came first.
    const full = await screen.waitFor('Credits used:');
    const raw = cli.screen();
    expect(raw.indexOf(GREETING)).toBeGreaterThanOrEqual(0);
    expect(raw.indexOf(GREETING)).toBeLessThan(raw.indexOf('Credits used:'));

    // One header, one greeting, on the screen and in the scrollback: the first frame left nothing behind.
    const seen = await screen.waitFor('You are welcome.');
    expect(seen).toContain('You: thanks');
    const rows = await allRows(cli.raw());
    expect(count(rows, 'AI assistant: Test AI (test-model-1)')).toBe(1);
    expect(count(rows, GREETING)).toBe(1);
    expect(count(rows, 'Want a person? Type /human')).toBe(1);
    expect(full).toContain('Credits used:');
  });

  it('a server that refuses the task request: E_UNREACHABLE with the address, exit 5, nothing left running', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    const home = createTempHome('codevf-start-');
    run.closeAfter({ close: () => home.cleanup() });
    writeAuthFile(
      home.home,
      loginRecord(
        baseUrl,
        { id: 'u1', email: 'ann@example.test', name: 'Ann', role: 'customer' },
        { accessToken: 'a'.repeat(32), refreshToken: 'r'.repeat(32), expiresIn: 3600 },
      ),
    );
    const cli = run.stopAfter(
      await spawnCliPty(['fix', '--mode', 'hybrid', 'login fails'], {
        home: home.home,
        cwd: home.home,
        env: { CODEVF_API_URL: baseUrl, CODEVF_MAX_RECONNECTS: '0' },
      }),
    );
    const exit = await cli.exit;
    expect(exit.exitCode).toBe(5);
    expect(cli.screen()).toContain(`Cannot reach the CodeVF server at ${baseUrl} (ECONNREFUSED).`);
    expect(cli.screen()).not.toMatch(/Unhandled|UnhandledPromiseRejection|at .*\.js:\d+/);
  });
});
