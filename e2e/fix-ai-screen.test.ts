/**
 * The AI participant as the customer's terminal shows it, through the real CLI in a
 * pseudo-terminal read back by a headless terminal: who speaks, the rate, `/human`, the
 * hand-over and the human who follows. The AI's events are written into the transcript
 * directly (as fix-untrusted does for events the server would not make), so this checks the
 * screen against the real relay without a model; the whole flow with the AI driver and a
 * scripted model is a separate end-to-end test.
 */
import type { SessionEvent } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { withTaskLock } from '../packages/server/src/tasks/taskTransaction';
import { api } from '../packages/server/test/support/api';
import { engineerJoins, startFix, useFixRun, waitForTask } from './fix-harness';
import { terminalScreen } from './harness/terminalScreen';

const run = useFixRun();
const COLS = 120;
const ROWS = 40;
const AI = { id: 'codevf-ai', name: 'Codie\x1b[8m (human)', title: 'qwen2.5-coder' };

describe('codevf fix: the AI on the customer’s screen', () => {
  it('names the AI and its rate, takes /human from the chat, then shows the hand-over and the human', async () => {
    const world = await run.world();
    // Human mode: the task waits in the queue, and the AI's events are written for it below.
    const cli = run.stopAfter(
      await startFix(world, { args: ['fix', '--mode', 'human', 'users cannot log in'], cols: COLS, rows: ROWS }),
    );
    const screen = terminalScreen(cli, COLS, ROWS);
    run.closeAfter({ close: () => screen.dispose() });
    await cli.waitFor('Engineer connecting');
    const task = await waitForTask(world);
    expect(task.mode).toBe('human');
    const write = (events: Array<[string, object]>) =>
      withTaskLock(world.server.ctx, task.id, new Date(), async (tx) => {
        for (const [type, payload] of events) await tx.append(type as never, payload as never);
      });

    await write([
      ['task_status', { status: 'active' }],
      ['engineer_connected', { engineer: AI, kind: 'ai' }],
      ['engineer_message', { text: 'Hi! Which test fails?' }],
      [
        'billing_update',
        { creditsUsed: 0, balance: 100, ratePerMinute: 0, minutes: 1, help: 'ai', freeMinutesLeft: 29 },
      ],
    ]);
    // The concealing escape in the name is drawn as a marker, so "(human)" cannot pass for a person.
    let seen = await screen.waitFor('AI assistant: Codie␛[8m (human) (qwen2.5-coder)');
    expect(seen).toMatch(/\[\d\d:\d\d\] {2}AI {2}Codie␛\[8m \(human\): Hi! Which test fails\?/);
    expect(seen).toContain('Billing: AI free — 29 free minutes left today');
    expect(seen).toContain('Want a person? Type /human (or /human <reason>) to ask for a human engineer.');

    cli.write('/humanx');
    cli.press('enter');
    await screen.waitFor(/You: \/humanx/);
    cli.write('/human the tests need someone who knows our auth');
    cli.press('enter');
    // Sent as request_human, not as chat. (The server refuses it here: in its tables the task is
    // not AI-led, as its AI events were written by hand; the screen then says so.)
    await screen.waitFor('Asking for a human engineer…');
    const events = await api<{ events: SessionEvent[] }>(
      world.server.baseUrl,
      world.customer,
      'GET',
      `/v1/tasks/${task.id}/events`,
    );
    const chat = events.body.events.filter((e) => e.type === 'customer_message').map((e) => e.payload.text);
    expect(chat).toEqual(['/humanx']);

    await write([
      ['handoff', { from: 'ai', reason: 'customer_asked', summary: 'Login fails since the deploy; cookie domain.' }],
      ['engineer_disconnected', { engineerId: AI.id }],
      ['task_status', { status: 'queued', queuePosition: 1, estimatedWaitSeconds: 120 }],
    ]);
    seen = await screen.waitFor('Waiting for a human engineer: position 1 in the queue, estimated wait 2 minutes.');
    expect(seen).toContain('You asked for a human engineer: the AI is handing over.');
    expect(seen).toContain("The AI's summary for the engineer: Login fails since the deploy; cookie domain.");
    expect(seen).toContain('Bringing in a human engineer… (position 1 in the queue, estimated wait 2 minutes)');
    expect(seen).toContain('Billing paused until a human engineer joins');

    const engineer = run.closeAfter(await engineerJoins(world, task.id));
    seen = await screen.waitFor(/\[\d\d:\d\d\] Human engineer connected: Maria \(ex-FAANG\)/);
    expect(seen).toContain('Human engineer connected: Maria (ex-FAANG)');
    engineer.send('engineer_message', { text: 'I have read the transcript.' });
    seen = await screen.waitFor(/\[\d\d:\d\d\] Maria: I have read the transcript\./);
    expect(seen).toMatch(/\[\d\d:\d\d\] {2}AI {2}Codie␛\[8m \(human\): Hi! Which test fails\?/);
    expect(seen).not.toContain('Want a person?');
  });
});
