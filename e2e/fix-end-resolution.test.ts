import type { Task } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import { useFixRun } from './fix-harness';

const run = useFixRun();

/** The engineer's resolution note in the customer's summary, drawn by the untrusted-text renderer. */
describe('codevf fix: the resolution note in the summary', () => {
  it('shows the note under the summary, its lines kept and control characters as markers', async () => {
    const { world, cli, engineer, task } = await run.live();
    const note = 'Pinned lodash to 4.17.21.\nRun npm ci after pulling.\x1b[2J\x07 Done.';
    await engineer.expectAck('end_session', { reason: 'Fixed.', resolution: note });
    const screen = await cli.waitFor(/Resolution \(from the engineer\):[\s\S]*Done\./);
    expect(screen).toMatch(/Credits Used: \d+[\s\S]*Resolution \(from the engineer\):/);
    expect(screen).toContain('Pinned lodash to 4.17.21.');
    expect(screen).toContain('Run npm ci after pulling.␛[2J\\a Done.');
    // The terminal received the markers, never the raw sequences: the screen was not cleared.
    expect(screen).toContain('Session Summary');
    await cli.waitFor('Rate engineer (1-5):');
    cli.press('escape');
    expect((await cli.exit).exitCode).toBe(0);
    const stored = (await api<Task>(world.server.baseUrl, world.customer, 'GET', `/v1/tasks/${task.id}`)).body;
    expect(stored.resolution).toBe(note);
  });

  it('has no resolution block when the engineer wrote none', async () => {
    const { cli, engineer } = await run.live();
    await engineer.expectAck('end_session', { reason: 'Fixed.' });
    const screen = await cli.waitFor('Rate engineer (1-5):');
    expect(screen).toContain('Session Summary');
    expect(screen).not.toContain('Resolution');
    cli.press('escape');
    expect((await cli.exit).exitCode).toBe(0);
  });
});
