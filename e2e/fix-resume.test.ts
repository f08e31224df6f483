import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventsResponse } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import { startTestServer } from '../packages/server/test/support/testServer';
import { openSession } from '../packages/server/test/support/wsClient';
import {
  count,
  engineerJoins,
  type FixWorld,
  startFix,
  startProxy,
  terminalText,
  useFixRun,
  waitForTask,
} from './fix-harness';
import { loginRecord, writeAuthFile } from './harness/cli';

const run = useFixRun();

async function transcript(world: FixWorld, taskId: string) {
  return (await api<EventsResponse>(world.server.baseUrl, world.customer, 'GET', `/v1/tasks/${taskId}/events`)).body
    .events;
}

const texts = (events: { type: string; payload: Record<string, unknown> }[], type: string) =>
  events.filter((e) => e.type === type).map((e) => e.payload.text);

/** A live session whose CLI talks to the server through a proxy the test can cut. */
async function sessionBehindProxy(env: Record<string, string> = {}) {
  const world = await run.world();
  const proxy = run.closeAfter(await startProxy(world.server.baseUrl));
  // The login belongs to the address the CLI talks to: the proxy.
  writeAuthFile(
    world.home,
    loginRecord(proxy.url, world.customer.user, {
      accessToken: world.customer.token,
      refreshToken: world.customer.refreshToken,
      expiresIn: 900,
    }),
  );
  const cli = run.stopAfter(await startFix(world, { baseUrl: proxy.url, env }));
  await cli.waitFor('Engineer connecting');
  const task = await waitForTask(world);
  const engineer = run.closeAfter(await engineerJoins(world, task.id));
  await cli.waitFor('Engineer connected: Maria (ex-FAANG)');
  return { world, proxy, cli, task, engineer };
}

describe('codevf fix: connection loss and resume', () => {
  it('a network drop mid-session: banner, then nothing lost and nothing twice, either way', async () => {
    const { world, proxy, cli, task, engineer } = await sessionBehindProxy({ CODEVF_MAX_RECONNECTS: '50' });
    engineer.send('engineer_message', { text: 'before the drop' });
    await cli.waitFor('Maria: before the drop');

    proxy.block();
    proxy.drop();
    await cli.waitFor(/Warning: Connection lost\. Reconnecting… \(attempt \d+ of 50/);
    engineer.send('engineer_message', { text: 'while you were away' });
    cli.write('typed while offline');
    cli.press('enter');
    await cli.waitFor(/You: typed while offline.*\(sending…\)/);

    proxy.unblock();
    await engineer.waitFor(
      (f) => f.type === 'customer_message' && (f.payload as { text: string }).text === 'typed while offline',
      20_000,
    );
    await cli.waitFor('Maria: while you were away', 20_000);

    engineer.send('engineer_message', { text: 'marker' });
    await cli.waitFor('Maria: marker');
    // The whole terminal, scrollback included: each line once, nothing left in flight.
    const frame = await terminalText(cli);
    expect(count(frame, 'Maria: before the drop')).toBe(1);
    expect(count(frame, 'Maria: while you were away')).toBe(1);
    expect(count(frame, 'You: typed while offline')).toBe(1);
    expect(frame).not.toContain('(sending…)');
    expect(frame).not.toContain('Reconnecting');

    const events = await transcript(world, task.id);
    expect(texts(events, 'customer_message')).toEqual(['typed while offline']);
    expect(texts(events, 'engineer_message')).toEqual(['before the drop', 'while you were away', 'marker']);
    expect(proxy.connections).toBeGreaterThanOrEqual(2);
  });

  it('a message lost on the way is re-sent after reconnecting', async () => {
    const { world, proxy, cli, task, engineer } = await sessionBehindProxy({ CODEVF_MAX_RECONNECTS: '50' });
    const lost = proxy.dropNextSend();
    cli.write('lost in transit');
    cli.press('enter');
    await lost;
    await cli.waitFor('(sending…)');
    expect(texts(await transcript(world, task.id), 'customer_message')).toEqual([]);
    proxy.drop();
    await engineer.waitFor((f) => f.type === 'customer_message', 20_000);
    expect(texts(await transcript(world, task.id), 'customer_message')).toEqual(['lost in transit']);
  });

  it('a message whose ack was lost is re-sent with its id after reconnecting and stored once', async () => {
    const { world, proxy, cli, task, engineer } = await sessionBehindProxy({ CODEVF_MAX_RECONNECTS: '50' });
    const held = proxy.swallowRepliesAfterNextSend();
    cli.write('did this arrive?');
    cli.press('enter');
    await held;
    // The server stored it, but the CLI never heard back.
    await expect
      .poll(async () => texts(await transcript(world, task.id), 'customer_message'), { timeout: 10_000 })
      .toEqual(['did this arrive?']);
    await cli.waitFor('(sending…)');
    proxy.drop();
    await cli.waitFor('Reconnecting');
    engineer.send('engineer_message', { text: 'marker' });
    await cli.waitFor('Maria: marker', 20_000);
    await cli.waitFor(/You: did this arrive\?(?! \(sending)/);
    const frame = await terminalText(cli);
    expect(count(frame, 'You: did this arrive?')).toBe(1);
    expect(frame).not.toContain('(sending…)');
    const events = await transcript(world, task.id);
    expect(texts(events, 'customer_message')).toEqual(['did this arrive?']);
    expect(engineer.events.filter((f) => f.type === 'customer_message')).toHaveLength(1);
  });

  it('a server restart mid-session: the CLI reconnects and resumes where it was', async () => {
    const world = await run.world();
    const cli = run.stopAfter(await startFix(world, { env: { CODEVF_MAX_RECONNECTS: '50' } }));
    await cli.waitFor('Engineer connecting');
    const task = await waitForTask(world);
    let engineer = run.closeAfter(await engineerJoins(world, task.id));
    await cli.waitFor('Engineer connected: Maria (ex-FAANG)');
    engineer.send('engineer_message', { text: 'before the restart' });
    await cli.waitFor('Maria: before the restart');
    const lastSeq = Math.max(...engineer.seqs());

    const port = Number(new URL(world.server.baseUrl).port);
    await world.server.close();
    await cli.waitFor('Connection lost. Reconnecting');
    cli.write('typed while the server was down');
    cli.press('enter');
    world.server = await startTestServer({ dataDir: world.server.dataDir, port });

    engineer = run.closeAfter(
      await openSession({
        baseUrl: world.server.baseUrl,
        taskId: task.id,
        token: world.engineer.token,
        lastSeq,
      }),
    );
    await engineer.waitFor(
      (f) =>
        f.type === 'customer_message' && (f.payload as { text: string }).text === 'typed while the server was down',
      20_000,
    );
    engineer.send('engineer_message', { text: 'after the restart' });
    await cli.waitFor('Maria: after the restart', 20_000);

    const events = await transcript(world, task.id);
    expect(texts(events, 'customer_message')).toEqual(['typed while the server was down']);
    expect(texts(events, 'engineer_message')).toEqual(['before the restart', 'after the restart']);
    const frame = await terminalText(cli);
    expect(count(frame, 'Maria: before the restart')).toBe(1);
    expect(count(frame, 'You: typed while the server was down')).toBe(1);
  });

  it('gives up after the reconnect limit with E_UNREACHABLE (exit 5); --resume picks the task up again', async () => {
    const { world, proxy, cli, task, engineer } = await sessionBehindProxy({ CODEVF_MAX_RECONNECTS: '2' });
    engineer.send('engineer_message', { text: 'before giving up' });
    await cli.waitFor('Maria: before giving up');
    proxy.block();
    proxy.drop();
    const exit = await cli.exit;
    expect(exit.exitCode).toBe(5);
    expect(cli.screen()).toContain(`Task ${task.id} is still open.`);
    expect(cli.screen()).toContain(`codevf fix --resume ${task.id}`);

    proxy.unblock();
    const resumed = run.stopAfter(await startFix(world, { baseUrl: proxy.url, args: ['fix', '--resume', task.id] }));
    // The transcript comes back from the server: the earlier chat, and the engineer.
    await resumed.waitFor('Maria: before giving up');
    await resumed.waitFor('Engineer connected: Maria (ex-FAANG)');
    engineer.send('engineer_message', { text: 'welcome back' });
    await resumed.waitFor('Maria: welcome back');
    resumed.write('thanks');
    resumed.press('enter');
    await engineer.waitFor((f) => f.type === 'customer_message' && (f.payload as { text: string }).text === 'thanks');
  });

  it('--resume does not re-run a command approved before the CLI went away', async () => {
    const { world: w, proxy, cli, task, engineer } = await sessionBehindProxy({ CODEVF_MAX_RECONNECTS: '1' });
    const seq = await engineer.expectAck('request_command', {
      command: 'echo ran >> runs.txt; echo started; sleep 5',
      reason: '',
    });
    const requestId = ((await engineer.waitForSeq(seq)).payload as { requestId: string }).requestId;
    await cli.waitFor('[y] run once');
    cli.press('y');
    await engineer.waitFor(
      (f) => f.type === 'command_output' && (f.payload as { requestId: string }).requestId === requestId,
    );
    cli.kill('SIGKILL');
    await cli.exit;

    const resumed = run.stopAfter(await startFix(w, { baseUrl: proxy.url, args: ['fix', '--resume', task.id] }));
    const result = await engineer.waitFor(
      (f) => f.type === 'command_result' && (f.payload as { requestId: string }).requestId === requestId,
    );
    expect((result.payload as { error?: string }).error).toMatch(/stopped before the command finished/);
    await resumed.waitFor('Could not run echo ran');
    // Ran once, in the first run; the resumed CLI did not start it again.
    expect(readFileSync(join(w.project, 'runs.txt'), 'utf8')).toBe('ran\n');
  });
});
