import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientPayloads, MAX_FRAME_BYTES, MAX_OUTPUT_CHUNK_CHARS } from '@codevf/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ExecuteApprovedOptions, type ExecuteEvent, executeApproved } from '../../src/safety/executeApproved';
import { createRedactor } from '../../src/safety/redactor';
import { SECRET_GENERATORS, seededRandom } from './fakeSecrets';
import { killQuietly, waitUntilGone } from './processes';

let root: string;
const leftovers: number[] = [];
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'codevf-exec-')));
});
afterEach(() => {
  for (const pid of leftovers.splice(0)) killQuietly(pid);
  rmSync(root, { recursive: true, force: true });
});

const token = SECRET_GENERATORS.github_token?.(seededRandom(5)) ?? '';
const redactor = createRedactor({ extraValues: ['dotenv-value-99'] });

async function collect(command: string, options: Partial<ExecuteApprovedOptions> = {}) {
  const events: ExecuteEvent[] = [];
  for await (const ev of executeApproved({ command, cwd: root, redactor, timeoutMs: 20_000, ...options }))
    events.push(ev);
  const outputs = events.filter((e) => e.kind === 'output');
  const text = (stream: 'stdout' | 'stderr') =>
    outputs
      .filter((e) => e.stream === stream)
      .map((e) => e.data)
      .join('');
  const last = events.at(-1);
  if (last?.kind !== 'result') throw new Error('the last event is not the result');
  expect(events.filter((e) => e.kind === 'result')).toHaveLength(1);
  return { events, outputs, stdout: text('stdout'), stderr: text('stderr'), result: last.result };
}

describe('executeApproved', () => {
  it('masks a secret printed by the command and counts it', async () => {
    const r = await collect(`echo "GITHUB_TOKEN=${token}"; echo "pw dotenv-value-99" >&2; echo plain`);
    expect(r.stdout).toBe('GITHUB_TOKEN=[REDACTED:github-token]\nplain\n');
    expect(r.stderr).toBe('pw [REDACTED:env-value]\n');
    expect(r.result).toMatchObject({ exitCode: 0, redactions: 2, truncated: false });
  });

  it('masks a secret written in two pieces with a pause between them', async () => {
    const [a, b] = [token.slice(0, 12), token.slice(12)];
    const r = await collect(
      `printf 'token: ${a}'; sleep 0.2; printf '${b} done\\n'; sleep 0.2; printf 'tail ${a}'; sleep 0.1; printf '${b}'`,
    );
    expect(r.stdout).toBe('token: [REDACTED:github-token] done\ntail [REDACTED:github-token]');
    expect(r.result.redactions).toBe(2);
  });

  it('yields chunks that fit the protocol, for long lines and many lines', async () => {
    const r = await collect("head -c 200000 /dev/zero | tr '\\0' x; seq 1 20000");
    expect(r.stdout.length).toBe(200_000 + Array.from({ length: 20000 }, (_, i) => `${i + 1}\n`).join('').length);
    for (const e of r.outputs) {
      expect(e.data.length).toBeGreaterThan(0);
      expect(e.data.length).toBeLessThanOrEqual(MAX_OUTPUT_CHUNK_CHARS);
      expect(clientPayloads.command_output.safeParse({ requestId: 'r1', stream: e.stream, data: e.data }).success).toBe(
        true,
      );
    }
  });

  it('keeps frames under the byte limit when output is full of control characters', async () => {
    const r = await collect("head -c 150000 /dev/zero | tr '\\0' '\\033'");
    expect(r.stdout).toBe('\u001b'.repeat(150_000));
    for (const e of r.outputs) {
      const frame = JSON.stringify({
        type: 'command_output',
        timestamp: new Date().toISOString(),
        id: 'x'.repeat(64),
        payload: { requestId: 'r'.repeat(64), stream: e.stream, data: e.data },
      });
      expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    }
  });

  it('reports truncation and exit code in the result', async () => {
    const r = await collect("head -c 50000 /dev/zero | tr '\\0' a; exit 2", { maxOutputBytes: 10_000 });
    expect(r.stdout).toHaveLength(10_000);
    expect(r.result).toMatchObject({ truncated: true, exitCode: 2, redactions: 0 });
    expect(clientPayloads.command_result.safeParse({ requestId: 'r1', ...r.result }).success).toBe(true);
  });

  it('returns an error result when the command cannot start', async () => {
    const r = await collect('true', { cwd: join(root, 'gone') });
    expect(r.events).toHaveLength(1);
    expect(r.result).toMatchObject({
      exitCode: null,
      error: expect.stringMatching(/project directory is not available/),
    });
  });

  it('passes an outside abort through and reports it', async () => {
    const controller = new AbortController();
    const events: ExecuteEvent[] = [];
    for await (const ev of executeApproved({
      command: 'echo "PID=$$"; sleep 100',
      cwd: root,
      redactor,
      signal: controller.signal,
    })) {
      events.push(ev);
      if (ev.kind === 'output') {
        leftovers.push(Number(/PID=(\d+)/.exec(ev.data)?.[1]));
        controller.abort();
      }
    }
    const last = events.at(-1);
    expect(last?.kind === 'result' && last.result.aborted).toBe(true);
  });

  it('stops the command when the consumer leaves the loop early', async () => {
    let pid = 0;
    for await (const ev of executeApproved({ command: 'sleep 100 & echo "PID=$!"; wait', cwd: root, redactor })) {
      if (ev.kind === 'output') {
        pid = Number(/PID=(\d+)/.exec(ev.data)?.[1]);
        leftovers.push(pid);
        break;
      }
    }
    expect(pid).toBeGreaterThan(0);
    expect(await waitUntilGone(pid)).toBe(true);
  });
});
