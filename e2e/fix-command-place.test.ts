import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { framesFor, outputOf, requestCommand, useFixRun, waitForCommandPrompt, waitForFrame } from './fix-harness';
import { isAlive } from './harness/processes';

const run = useFixRun();

/** The real CLI under a pseudo-terminal: a command request's folder and time limit, end to end. */
describe('codevf fix: a command in a folder of the project, with a time limit', () => {
  it('shows the folder and the limit in the approval box, runs there, and stops the tree at the limit', async () => {
    const { world, cli, engineer } = await run.live();
    mkdirSync(join(world.project, 'packages', 'api'), { recursive: true });
    writeFileSync(join(world.project, 'packages', 'api', 'marker.txt'), 'in api\n');

    const id = await requestCommand(engineer, 'pwd; cat marker.txt', 'the api package', {
      cwd: 'packages/api',
      timeoutSeconds: 90,
    });
    await waitForCommandPrompt(cli, 'pwd; cat marker.txt');
    const box = cli.screen();
    expect(box).toContain('In folder: packages/api');
    expect(box).toContain('Time limit: 1 min 30 s, then it is stopped.');
    expect(box).toContain('Runs in that folder of your project with your shell');
    cli.press('y');
    expect((await waitForFrame(engineer, 'command_result', id)).payload).toMatchObject({ exitCode: 0 });
    expect(outputOf(engineer, id)).toBe(`${realpathSync(join(world.project, 'packages', 'api'))}\nin api\n`);

    cli.clear();
    const slow = 'sleep 30 & echo $! > sleeper.pid; echo started; wait';
    const stopped = await requestCommand(engineer, slow, 'hangs?', { cwd: 'packages/api', timeoutSeconds: 1 });
    await waitForCommandPrompt(cli, slow);
    expect(cli.screen()).toContain('Time limit: 1 s, then it is stopped.');
    cli.press('y');
    const result = await waitForFrame(engineer, 'command_result', stopped, 20_000);
    expect(result.payload).toMatchObject({ exitCode: null, timedOut: true });
    expect(outputOf(engineer, stopped)).toBe('started\n');
    await cli.waitFor(/timed out, stopped \(SIG(TERM|KILL)\)/);
    // Written in the folder asked for; the background child was in the group and is gone too.
    const pid = Number((await readFile(join(world.project, 'packages', 'api', 'sleeper.pid'), 'utf8')).trim());
    await expect.poll(() => isAlive(pid), { timeout: 5_000 }).toBe(false);
  });

  it('refuses without asking a folder that leads out of the project through a symbolic link', async () => {
    const { world, cli, engineer } = await run.live();
    const outside = mkdtempSync(join(tmpdir(), 'codevf-outside-'));
    try {
      symlinkSync(outside, join(world.project, 'escape'));
      const id = await requestCommand(engineer, 'touch pwned', 'sneaky', { cwd: 'escape' });
      const refusal = await waitForFrame(engineer, 'approve_command', id);
      expect(refusal.payload).toMatchObject({
        approved: false,
        refusedReason: 'the working directory escapes the project root through a symbolic link',
      });
      await cli.waitFor('Refused touch pwned: the working directory escapes the project root through a symbolic link');
      expect(cli.screen()).not.toContain('[y] run once');
      expect(framesFor(engineer, 'command_result', id)).toHaveLength(0);
      await expect(readFile(join(outside, 'pwned'))).rejects.toThrow();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
