import type { Task } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../packages/server/src/clock';
import { liveRuntime } from '../packages/server/src/live/liveRuntime';
import { api } from '../packages/server/test/support/api';
import { type FixWorld, useFixRun } from './fix-harness';

const run = useFixRun();

async function taskOf(world: FixWorld, id: string): Promise<Task> {
  return (await api<Task>(world.server.baseUrl, world.customer, 'GET', `/v1/tasks/${id}`)).body;
}

describe('codevf fix: ending a session', () => {
  it('Ctrl+C asks first; y ends it, shows the summary, and the rating and feedback are stored', async () => {
    const clock = new FakeClock(new Date());
    const { world, cli, engineer, task } = await run.live({ clock });
    // Two started minutes are billed, so the summary has something to show.
    clock.advance(119_000);
    await liveRuntime(world.server.ctx).tick();
    await cli.waitFor('Credits used: 2');

    cli.press('ctrl-c');
    await cli.waitFor('End the session? (y/n)');
    cli.press('n');
    cli.clear();
    cli.write('still here');
    cli.press('enter');
    await engineer.waitFor(
      (f) => f.type === 'customer_message' && (f.payload as { text: string }).text === 'still here',
    );
    expect((await taskOf(world, task.id)).status).toBe('active');

    cli.press('ctrl-c');
    await cli.waitFor('End the session? (y/n)');
    cli.press('y');
    const end = await engineer.waitFor('session_end');
    expect(end.payload).toMatchObject({ endedBy: 'customer' });
    const screen = await cli.waitFor('Rate engineer (1-5):');
    expect(screen).toMatch(
      /Session Summary[\s\S]*Engineer: Maria[\s\S]*Time: 1 min 59 s[\s\S]*Billed: 2 minutes[\s\S]*Credits Used: 2/,
    );
    cli.press('6'); // out of range: ignored
    cli.press('4');
    await cli.waitFor('Feedback (optional, Enter to send):');
    cli.write('quick and clear');
    cli.press('enter');
    const exit = await cli.exit;
    expect(exit.exitCode).toBe(0);
    expect(cli.screen()).toContain('Thanks for rating your session!');
    expect(await taskOf(world, task.id)).toMatchObject({
      status: 'ended',
      endedBy: 'customer',
      rating: 4,
      feedback: 'quick and clear',
    });
  });

  it('the engineer ending the session shows who ended it and the summary; Esc skips the rating', async () => {
    const { world, cli, engineer, task } = await run.live();
    await engineer.expectAck('end_session', { reason: 'Fixed: the session cookie was missing SameSite.' });
    await cli.waitFor(
      /The engineer ended the session\. Fixed: the session cookie was missing SameSite\.[\s\S]*Engineer: Maria/,
    );
    await cli.waitFor('Rate engineer (1-5):');
    cli.press('escape');
    expect((await cli.exit).exitCode).toBe(0);
    expect(await taskOf(world, task.id)).toMatchObject({ status: 'ended', endedBy: 'engineer', rating: null });
  });

  it('running out of credits ends the session from the server side', async () => {
    const clock = new FakeClock(new Date());
    const { world, cli, engineer, task } = await run.live({ clock, credits: 2 });
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000);
      await liveRuntime(world.server.ctx).tick();
    }
    await engineer.waitFor('session_end');
    await cli.waitFor(/The session was ended by CodeVF\. The account ran out of credits\.[\s\S]*Credits Used: 2/);
    await cli.waitFor('Rate engineer (1-5):');
    cli.press('5');
    await cli.waitFor('Feedback (optional, Enter to send):');
    cli.press('enter');
    expect((await cli.exit).exitCode).toBe(0);
    expect(await taskOf(world, task.id)).toMatchObject({
      status: 'ended',
      endedBy: 'system',
      rating: 5,
      creditsUsed: 2,
    });
  });

  it('a pending request is closed when the session ends, and its keys do nothing afterwards', async () => {
    const { cli, engineer } = await run.live();
    await engineer.expectAck('request_command', { command: 'touch after-end', reason: '' });
    await cli.waitFor('[y] run once');
    await engineer.expectAck('end_session', {});
    await cli.waitFor('Rate engineer (1-5):');
    cli.press('y');
    cli.press('escape');
    expect((await cli.exit).exitCode).toBe(0);
    expect(engineer.frames.some((f) => f.type === 'approve_command')).toBe(false);
  });
});
