import { rmSync } from 'node:fs';
import type { Task } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import { openSession } from '../packages/server/test/support/wsClient';
import { type FixWorld, lastFrame, startFix, terminalText, useFixRun, waitForTask } from './fix-harness';
import { authFileFor, runCli, spawnCliPty } from './harness/cli';

const run = useFixRun();

const hhmm = /\[\d\d:\d\d\]/.source;

/** `codevf fix "help me"` with piped stdio (no terminal), in the world's project and home. */
function runFixWithoutTerminal(world: FixWorld) {
  return runCli(['fix', 'help me'], {
    home: world.home,
    cwd: world.project,
    env: { CODEVF_API_URL: world.server.baseUrl },
  });
}

describe('codevf fix: chat and the live screen', () => {
  it('chats both ways with [HH:MM] Name: lines; the customer’s secrets are masked before sending', async () => {
    const { cli, engineer } = await run.live();
    // The first minute is charged as soon as the engineer is here: on a busy machine its
    // billing_update can reach the screen first, and the header then names the rate.
    expect(cli.screen()).toMatch(
      /Billing: (per minute while the engineer is here|1 credit\/min) · You can chat below\. Press CTRL\+C to exit/,
    );

    engineer.send('engineer_message', { text: "Hello! I see you're having authentication issues..." });
    await cli.waitFor(new RegExp(`${hhmm} Maria: Hello! I see you're having authentication issues\\.\\.\\.`));

    cli.write("Yes, users can't login");
    cli.press('enter');
    const first = await engineer.waitFor((f) => f.type === 'customer_message');
    expect(first.payload).toEqual({ text: "Yes, users can't login" });
    await cli.waitFor(new RegExp(`${hhmm} You: Yes, users can't login`));

    cli.write('my key is AKIAIOSFODNN7EXAMPLF and password=Tr0ub4dor&3xyz');
    cli.press('enter');
    const masked = await engineer.waitFor(
      (f) => f.type === 'customer_message' && (f.payload as { text: string }).text.startsWith('my key'),
    );
    const text = (masked.payload as { text: string; redactions: number }).text;
    expect(text).not.toContain('AKIAIOSFODNN7EXAMPLF');
    expect(text).not.toContain('Tr0ub4dor&3xyz');
    expect(masked.payload).toMatchObject({ redactions: 2 });
    await cli.waitFor(/You: my key is \[REDACTED[^\n]*\(2 values masked\)/);

    // Each line once in the terminal (scrollback included): written once, never redrawn.
    engineer.send('engineer_message', { text: 'marker' });
    await cli.waitFor('Maria: marker');
    const frame = await terminalText(cli);
    expect(frame.split("You: Yes, users can't login")).toHaveLength(2);
    expect(frame.split('Maria: Hello!')).toHaveLength(2);
    // The chat shows what was sent (masked), not what was typed.
    expect(frame).not.toContain('AKIAIOSFODNN7EXAMPLF');
  });

  it('while queued shows the position, then asks "Continue waiting?": y waits, n cancels the task (exit 6)', async () => {
    const world = await run.world();
    // Long enough for the keys typed below to reach the chat before the question is up.
    const cli = run.stopAfter(await startFix(world, { env: { CODEVF_QUEUE_PROMPT_SECONDS: '3' } }));
    await cli.waitFor(/Engineer connecting… \(position 1 in the queue/);
    const task = await waitForTask(world);
    cli.write('I tried clearing cookies');
    cli.press('enter');
    await cli.waitFor(`You: I tried clearing cookies`);

    await cli.waitFor(
      /No engineers available right now\.\s*│?\s*│?\s*Average wait time: [^\n]*\n[\s\S]*Continue waiting\? \(y\/n\)/,
    );
    cli.press('y');
    cli.clear();
    await cli.waitFor('Continue waiting? (y/n)');
    cli.press('n');
    const exit = await cli.exit;
    expect(exit.exitCode).toBe(6);
    expect(cli.screen()).toContain('Task cancelled while waiting for an engineer. No credits were used.');
    const after = await api<Task>(world.server.baseUrl, world.customer, 'GET', `/v1/tasks/${task.id}`);
    expect(after.body).toMatchObject({ status: 'ended', endedBy: 'customer', creditsUsed: 0 });
  });

  it('shows a screenshare link; o opens it (or says it could not) and returns to the chat', async () => {
    const { cli, engineer } = await run.live();
    await engineer.expectAck('screenshare_request', { url: 'https://meet.example.test/abc123' });
    await cli.waitFor(
      /Engineer requests screenshare on:[\s\S]*meet\.example\.test[\s\S]*Full link: https:\/\/meet\.example\.test\/abc123[\s\S]*\[o\] open in your browser/,
    );
    cli.clear();
    cli.press('o');
    await cli.waitFor('> Type a message and press Enter');
    expect(lastFrame(cli.screen())).not.toContain('[o] open in your browser');
  });

  it('bare `codevf` in a terminal asks "What issue are you facing?" and files that issue', async () => {
    const world = await run.world();
    const cli = run.stopAfter(await startFix(world, { args: [] }));
    await cli.waitFor('What issue are you facing?');
    cli.write('the build fails on CI only');
    cli.press('enter');
    await cli.waitFor('Engineer connecting');
    const task = await waitForTask(world);
    expect(task.description).toBe('the build fails on CI only');
    // The engineer sees the same task.
    const engineer = run.closeAfter(
      await openSession({ baseUrl: world.server.baseUrl, taskId: task.id, token: world.customer.token }),
    );
    expect(engineer.welcome?.payload).toMatchObject({ status: 'queued', role: 'customer' });
  });

  it('without a login: E_NOT_LOGGED_IN, exit 4', async () => {
    const world = await run.world();
    rmSync(authFileFor(world.home));
    const r = await runFixWithoutTerminal(world);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('You are not logged in.');
    expect(r.stderr).toContain('codevf login');
  });

  it('without a terminal: E_NO_TTY with a hint, exit 2, and no task is created', async () => {
    const world = await run.world();
    const r = await runFixWithoutTerminal(world);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs a terminal');
    expect(r.stderr).toMatch(/Hint: Run it in a terminal/);
    const tasks = await api<{ tasks: Task[] }>(world.server.baseUrl, world.customer, 'GET', '/v1/tasks');
    expect(tasks.body.tasks).toHaveLength(0);
  });

  it('rejects bad flags: --resume with an issue, an empty --resume, a bad reconnect limit', async () => {
    const world = await run.world();
    const env = { CODEVF_API_URL: world.server.baseUrl };
    const both = await runCli(['fix', 'x', '--resume', 'abc'], { home: world.home, env });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    const bothEquals = await runCli(['fix', 'x', '--resume=abc'], { home: world.home, env });
    expect(bothEquals.code).toBe(2);
    expect(bothEquals.stderr).toContain('not both');
    // An empty id is no id: the lookup of the open task, and there is none.
    const empty = await runCli(['fix', '--resume', ''], { home: world.home, env });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('No open task to resume.');
    const limit = await runCli(['fix', 'x'], { home: world.home, env: { ...env, CODEVF_MAX_RECONNECTS: 'lots' } });
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('CODEVF_MAX_RECONNECTS');
  });

  it('--resume=<id> of an unknown task fails with E_NOT_FOUND in a terminal', async () => {
    const world = await run.world();
    const cli = run.stopAfter(
      await spawnCliPty(['fix', '--resume=no-such-task'], {
        home: world.home,
        cwd: world.project,
        env: { CODEVF_API_URL: world.server.baseUrl },
      }),
    );
    const exit = await cli.exit;
    expect(exit.exitCode).toBe(1);
    expect(cli.screen()).toMatch(/Error: .*/);
  });
});
