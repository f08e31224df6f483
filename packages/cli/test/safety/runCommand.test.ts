import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  childEnvironment,
  type OutputStream,
  type RunApprovedCommandOptions,
  runApprovedCommand,
  spawnPlan,
} from '../../src/safety/runCommand';
import { killQuietly, waitUntilGone } from './processes';

let root: string;
const leftovers: number[] = [];
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'codevf-run-')));
});
afterEach(() => {
  for (const pid of leftovers.splice(0)) killQuietly(pid);
  rmSync(root, { recursive: true, force: true });
});

/** Runs a command and collects its output per stream. */
async function run(command: string, options: Partial<RunApprovedCommandOptions> = {}) {
  const out: Record<OutputStream, string> = { stdout: '', stderr: '' };
  const result = await runApprovedCommand({
    command,
    cwd: root,
    timeoutMs: 20_000,
    ...options,
    onOutput: (stream, text) => {
      out[stream] += text;
      options.onOutput?.(stream, text);
    },
  });
  return { ...result, ...out };
}

function pidFrom(text: string): number {
  const m = /PID=(\d+)/.exec(text);
  if (!m) throw new Error(`no PID in ${JSON.stringify(text)}`);
  const pid = Number(m[1]);
  leftovers.push(pid);
  return pid;
}

describe('runApprovedCommand', () => {
  it('runs exactly the given string through the shell, in the project root', async () => {
    const r = await run(`printf '%s|' "a b" 'c"d' \\$x; pwd -P`);
    expect(r.stdout).toBe(`a b|c"d|$x|${root}\n`);
    expect(r).toMatchObject({ exitCode: 0, signal: null, truncated: false, timedOut: false, aborted: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('streams output as it arrives, before the command exits', async () => {
    // The command waits for a file that the test creates only after seeing the first line.
    const r = await run('echo first; while [ ! -f go ]; do sleep 0.02; done; echo second >&2', {
      timeoutMs: 15_000,
      onOutput: (_stream, text) => {
        if (text.includes('first')) writeFileSync(join(root, 'go'), '');
      },
    });
    expect(r).toMatchObject({ stdout: 'first\n', stderr: 'second\n', exitCode: 0, timedOut: false });
  });

  it('reports exit codes, including a missing program', async () => {
    expect((await run('exit 3')).exitCode).toBe(3);
    expect((await run('true')).exitCode).toBe(0);
    const missing = await run('definitely-not-a-command-xyz');
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/not found/);
  });

  it('reports a signal that ended the shell', async () => {
    const r = await run('kill -TERM $$');
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
  });

  it('closes stdin: a command reading it gets end-of-file at once', async () => {
    expect((await run('cat; echo "rc=$?"')).stdout).toBe('rc=0\n');
  });

  it('keeps multi-byte characters whole when they are split across reads', async () => {
    expect((await run("printf '\\342\\202'; sleep 0.1; printf '\\254\\n'")).stdout).toBe('€\n');
  });

  it('on timeout kills the whole process group, grandchildren included', async () => {
    const r = await run('sleep 100 & echo "PID=$!"; wait', { timeoutMs: 1000 });
    expect(r).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
    expect(await waitUntilGone(pidFrom(r.stdout))).toBe(true);
  });

  it('sends SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const r = await run('trap "" TERM; sleep 100 & echo "PID=$!"; wait', { timeoutMs: 1000, killGraceMs: 200 });
    expect(r).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(await waitUntilGone(pidFrom(r.stdout))).toBe(true);
  });

  it('stops the group when aborted', async () => {
    const controller = new AbortController();
    const r = await run('sleep 100 & echo "PID=$!"; wait', {
      signal: controller.signal,
      onOutput: (_s, text) => {
        if (text.includes('PID=')) controller.abort();
      },
    });
    expect(r).toMatchObject({ aborted: true, timedOut: false, signal: 'SIGTERM' });
    expect(await waitUntilGone(pidFrom(r.stdout))).toBe(true);
  });

  it('does not start a command whose signal is already aborted', async () => {
    const r = await run('touch ran', { signal: AbortSignal.abort() });
    expect(r).toMatchObject({ aborted: true, exitCode: null });
    expect(existsSync(join(root, 'ran'))).toBe(false);
  });

  it('ends background processes the command leaves behind', async () => {
    // One keeps the output pipe open, the other does not; both belong to the command's group.
    const r = await run('sleep 100 & echo "PID=$!"; sleep 100 >/dev/null 2>&1 & echo "PID=$!"; echo done');
    expect(r).toMatchObject({ exitCode: 0, timedOut: false });
    const pids = [...r.stdout.matchAll(/PID=(\d+)/g)].map((m) => Number(m[1]));
    leftovers.push(...pids);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await waitUntilGone(pid)).toBe(true);
  });

  it('caps output, discards the rest, and lets the command run to its end', async () => {
    const r = await run("head -c 300000 /dev/zero | tr '\\0' a; echo; echo after >&2; exit 4", {
      maxOutputBytes: 100_000,
    });
    expect(r).toMatchObject({ truncated: true, exitCode: 4 });
    expect(r.stdout.length + r.stderr.length).toBe(100_000);
    expect(r.stderr).toBe('');
  });

  it('does not mark output under the cap as truncated', async () => {
    const r = await run("head -c 5000 /dev/zero | tr '\\0' a", { maxOutputBytes: 5000 });
    expect(r).toMatchObject({ truncated: false, exitCode: 0 });
    expect(r.stdout).toHaveLength(5000);
  });

  it('drops CODEVF_* variables and any variable holding a stripped token', async () => {
    const env = {
      PATH: process.env.PATH,
      CODEVF_TOKEN: 'cvf_token_value_1',
      CODEVF_API_URL: 'http://127.0.0.1:1',
      codevf_lower: 'lower',
      MY_COPY_OF_TOKEN: 'cvf_token_value_1',
      KEPT: 'kept-value',
    };
    const r = await run('env', { env, secretsToStrip: ['cvf_token_value_1'] });
    expect(r.stdout).toContain('KEPT=kept-value');
    expect(r.stdout).not.toMatch(/^codevf_/im);
    expect(r.stdout).not.toContain('cvf_token_value_1');
  });

  it('rejects when the project directory is gone', async () => {
    await expect(run('true', { cwd: join(root, 'missing') })).rejects.toThrow(/project directory is not available/);
    writeFileSync(join(root, 'file'), '');
    await expect(run('true', { cwd: join(root, 'file') })).rejects.toThrow(/project directory is not available/);
  });

  it("uses the user's $SHELL and falls back to /bin/sh", async () => {
    const path = process.env.PATH;
    expect((await run('echo $0', { env: { PATH: path, SHELL: '/bin/bash' } })).stdout).toBe('/bin/bash\n');
    expect((await run('echo $0', { env: { PATH: path, SHELL: '/no/such/shell' } })).stdout).toBe('/bin/sh\n');
    expect((await run('echo $0', { env: { PATH: path, SHELL: 'bash' } })).stdout).toBe('/bin/sh\n');
  });
});

describe('childEnvironment', () => {
  it('keeps everything else and ignores empty tokens', () => {
    expect(childEnvironment({ A: '1', CODEVF_X: '2', B: '', C: undefined }, [''])).toEqual({ A: '1', B: '' });
  });
});

describe('spawnPlan', () => {
  const token = 'cvf_at_abcdefghijklmnopqrstuvwxyz012345';
  const env = {
    ComSpec: 'C:\\Windows\\system32\\cmd.exe',
    SystemRoot: 'C:\\Windows',
    Path: 'C:\\Windows\\system32;C:\\Program Files\\PowerShell\\7',
    CODEVF_SHELL: 'cmd',
    CODEVF_API_URL: 'https://codevf.example',
    GH_TOKEN: token,
    USERNAME: 'ada',
  };

  it('on Windows: cmd.exe, verbatim arguments, no process group, scrubbed environment', () => {
    expect(
      spawnPlan({ command: 'npm test & echo "done"', cwd: 'C:\\proj', env, secretsToStrip: [token] }, 'win32'),
    ).toEqual({
      file: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', '"npm test & echo "done""'],
      options: {
        cwd: 'C:\\proj',
        env: {
          ComSpec: 'C:\\Windows\\system32\\cmd.exe',
          SystemRoot: 'C:\\Windows',
          Path: env.Path,
          USERNAME: 'ada',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: false,
        windowsHide: true,
        windowsVerbatimArguments: true,
      },
    });
  });

  it('on Windows with CODEVF_SHELL=pwsh: PowerShell 7 found in PATH, the command one argument, quoted by Node', () => {
    const isExecutable = (file: string) => file === 'C:\\Program Files\\PowerShell\\7\\pwsh.exe';
    const plan = spawnPlan(
      { command: 'Get-ChildItem\nnpm test', cwd: 'C:\\proj', env: { ...env, CODEVF_SHELL: 'pwsh' } },
      'win32',
      isExecutable,
    );
    expect(plan.file).toBe('C:\\Program Files\\PowerShell\\7\\pwsh.exe');
    expect(plan.args).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', 'Get-ChildItem\nnpm test']);
    expect(plan.options).toMatchObject({ detached: false, windowsVerbatimArguments: false });
    expect(plan.options.env).not.toHaveProperty('CODEVF_SHELL');
  });

  it('on Windows refuses, with a reason for the engineer, what cmd.exe would run only in part', () => {
    expect(() => spawnPlan({ command: 'echo one\r\necho two', cwd: 'C:\\proj', env }, 'win32')).toThrow(
      /cmd\.exe runs only the first line/,
    );
  });

  it('on POSIX: $SHELL -c in its own process group', () => {
    const plan = spawnPlan({ command: 'ls', cwd: '/proj', env: { SHELL: '/bin/sh', CODEVF_SHELL: 'pwsh' } }, 'linux');
    expect(plan).toMatchObject({
      file: '/bin/sh',
      args: ['-c', 'ls'],
      options: { detached: true, windowsVerbatimArguments: false, env: { SHELL: '/bin/sh' } },
    });
  });

  it('ignores CODEVF_SHELL when running here, and does not pass it to the command', async () => {
    const r = await run('echo "CODEVF_SHELL=[$CODEVF_SHELL]"', { env: { ...process.env, CODEVF_SHELL: 'powershell' } });
    expect(r).toMatchObject({ stdout: 'CODEVF_SHELL=[]\n', exitCode: 0 });
  });
});
