import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../packages/server/src/clock';
import { liveRuntime } from '../packages/server/src/live/liveRuntime';
import type { TestSession } from '../packages/server/test/support/wsClient';
import {
  framesFor,
  outputOf,
  requestCommand,
  useFixRun,
  type WorldOptions,
  waitForCommandPrompt,
  waitForFrame,
  writeProjectConfig,
} from './fix-harness';
import type { PtyCli } from './harness/cli';
import { isAlive } from './harness/processes';

const run = useFixRun();

async function start(options: WorldOptions = {}, config?: Record<string, unknown>) {
  const world = await run.world(options);
  if (config) await writeProjectConfig(world, config);
  return { world, ...(await run.liveSession(world)) };
}

/** A round trip through the customer's socket: everything the CLI sent before it has arrived. */
async function sync(cli: PtyCli, engineer: TestSession, marker: string) {
  cli.write(marker);
  cli.press('enter');
  return engineer.waitFor(
    (f) => f.type === 'customer_message' && (f.payload as { text: string }).text.endsWith(marker),
  );
}

describe('codevf fix: command requests', () => {
  it('y runs exactly the command in the project root and streams its output while it runs', async () => {
    const { world, cli, engineer } = await start();
    const command = 'pwd; echo first; while [ ! -f go ]; do sleep 0.05; done; echo second';
    const id = await requestCommand(engineer, command, 'check the working directory');
    await waitForCommandPrompt(cli, command);
    expect(cli.screen()).toContain('Reason: check the working directory');
    expect(cli.screen()).toMatch(/Expires in \d:\d\d/);
    cli.press('y');

    const approval = await waitForFrame(engineer, 'approve_command', id);
    expect(approval.payload).toMatchObject({ approved: true, scope: 'once' });
    // "first" reaches the engineer while the command is still blocked on the file: streamed.
    await engineer.waitFor(() => outputOf(engineer, id).includes('first'));
    expect(framesFor(engineer, 'command_result', id)).toHaveLength(0);
    await cli.waitFor(/Running: pwd[\s\S]*first/);
    writeFileSync(join(world.project, 'go'), '');

    const result = await waitForFrame(engineer, 'command_result', id);
    expect(result.payload).toMatchObject({ exitCode: 0, truncated: false, redactions: 0 });
    expect(outputOf(engineer, id)).toBe(`${realpathSync(world.project)}\nfirst\nsecond\n`);
    await cli.waitFor(/✓ pwd; echo first.* — exit 0/);
  });

  it('n denies: nothing runs, the engineer is told', async () => {
    const { world, cli, engineer } = await start();
    const id = await requestCommand(engineer, 'touch should-not-exist');
    await waitForCommandPrompt(cli, 'touch should-not-exist');
    cli.press('n');
    const decision = await waitForFrame(engineer, 'approve_command', id);
    expect(decision.payload).toMatchObject({ approved: false });
    await cli.waitFor('Command denied by you: touch should-not-exist');
    await sync(cli, engineer, 'after deny');
    expect(framesFor(engineer, 'command_output', id)).toHaveLength(0);
    expect(framesFor(engineer, 'command_result', id)).toHaveLength(0);
    expect(existsSync(join(world.project, 'should-not-exist'))).toBe(false);
  });

  it('a allows this exact command for the session: asked once, and never for a different command', async () => {
    const { world, cli, engineer } = await start();
    const first = await requestCommand(engineer, 'echo again');
    await waitForCommandPrompt(cli, 'echo again');
    cli.press('a');
    expect((await waitForFrame(engineer, 'approve_command', first)).payload).toMatchObject({
      approved: true,
      scope: 'session',
    });
    await waitForFrame(engineer, 'command_result', first);

    cli.clear();
    const second = await requestCommand(engineer, 'echo again');
    expect((await waitForFrame(engineer, 'approve_command', second)).payload).toMatchObject({
      approved: true,
      scope: 'session',
    });
    expect((await waitForFrame(engineer, 'command_result', second)).payload).toMatchObject({ exitCode: 0 });
    expect(outputOf(engineer, second)).toBe('again\n');
    await cli.waitFor('Ran without asking (you allowed this exact command for the session): echo again');
    expect(cli.screen()).not.toContain('[y] run once');

    // Same start, different command: asked again.
    const third = await requestCommand(engineer, 'echo again; touch pwned');
    await waitForCommandPrompt(cli, 'echo again; touch pwned');
    cli.press('n');
    expect((await waitForFrame(engineer, 'approve_command', third)).payload).toMatchObject({ approved: false });
    expect(existsSync(join(world.project, 'pwned'))).toBe(false);
  });

  it('an unanswered request expires and counts as denied; a late key press does nothing', async () => {
    const clock = new FakeClock(new Date());
    const { world, cli, engineer } = await start({ clock, config: { requestTtlSeconds: 60 } });
    const id = await requestCommand(engineer, 'touch late');
    await waitForCommandPrompt(cli, 'touch late');
    clock.advance(61_000);
    await liveRuntime(world.server.ctx).tick();
    await waitForFrame(engineer, 'request_expired', id);
    await cli.waitFor('Request expired (denied): touch late');
    cli.press('y');
    // The prompt is gone, so the key is just a letter in the chat line.
    const line = await sync(cli, engineer, 'after expiry');
    expect((line.payload as { text: string }).text).toBe('yafter expiry');
    expect(framesFor(engineer, 'approve_command', id)).toHaveLength(0);
    expect(existsSync(join(world.project, 'late'))).toBe(false);
  });

  it('a command over the timeout is stopped with its whole process group', async () => {
    const { world, cli, engineer } = await start({}, { commandTimeoutSeconds: 1 });
    const command = 'sleep 30 & echo $! > sleeper.pid; echo started; wait';
    const id = await requestCommand(engineer, command);
    await waitForCommandPrompt(cli, command);
    cli.press('y');
    const result = await waitForFrame(engineer, 'command_result', id, 20_000);
    expect(result.payload).toMatchObject({ exitCode: null, timedOut: true });
    expect(['SIGTERM', 'SIGKILL']).toContain((result.payload as { signal: string }).signal);
    expect(outputOf(engineer, id)).toBe('started\n');
    await cli.waitFor(/timed out, stopped \(SIG(TERM|KILL)\)/);
    // The background child was in the group: it is gone too.
    const pid = Number((await readFile(join(world.project, 'sleeper.pid'), 'utf8')).trim());
    await expect.poll(() => isAlive(pid), { timeout: 5_000 }).toBe(false);
  });

  it('output past the cap is not sent, and the result says truncated', async () => {
    const { cli, engineer } = await start({}, { maxOutputBytes: 4096 });
    const command = "head -c 200000 /dev/zero | tr '\\0' x; echo; echo done";
    const id = await requestCommand(engineer, command);
    await waitForCommandPrompt(cli, command);
    cli.press('y');
    const result = await waitForFrame(engineer, 'command_result', id);
    expect(result.payload).toMatchObject({ exitCode: 0, truncated: true });
    const sent = outputOf(engineer, id);
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(4096);
    expect(sent).toMatch(/^x+$/);
    await cli.waitFor('(truncated at the output cap)');
  });

  it('secrets in the output are masked before they leave; the child gets no CodeVF variables or token', async () => {
    const world = await run.world();
    writeFileSync(join(world.project, '.env'), 'DB_PASSWORD=Zq8vR2kLm9pW4x\nPORT=3000\n');
    writeFileSync(
      join(world.project, 'config.js'),
      'const stripe = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";\nconst gh = "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";\n',
    );
    const { cli, engineer } = await run.liveSession(world, { env: { LEAKY: world.customer.token } });
    const command = 'cat config.js; echo "db is Zq8vR2kLm9pW4x on 3000"; env';
    const id = await requestCommand(engineer, command);
    await waitForCommandPrompt(cli, command);
    cli.press('y');
    const result = await waitForFrame(engineer, 'command_result', id);
    const out = outputOf(engineer, id);
    for (const secret of [
      'Zq8vR2kLm9pW4x',
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      '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',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('db is [REDACTED');
    expect(out).toContain('on 3000');
    expect(out).not.toMatch(/^CODEVF_/m);
    expect(out).not.toContain(world.customer.token);
    expect(out).not.toMatch(/^LEAKY=/m);
    expect((result.payload as { redactions: number }).redactions).toBeGreaterThanOrEqual(3);
    await cli.waitFor(/values masked\)/);
  });
});
