import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { win32 } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { type IsExecutable, shellInvocation, systemRoot } from './shellInvocation';

/**
 * Runs a command the customer approved — exactly the approved string, through the user's shell
 * (`$SHELL -c`, falling back to `/bin/sh -c`; on Windows `cmd.exe /d /s /c`, or PowerShell when
 * `CODEVF_SHELL` says so: shellInvocation.ts), in the project root.
 *
 *   const result = await runApprovedCommand({ command, cwd: projectRoot, onOutput, signal, secretsToStrip: [token] });
 *
 * - Output: stdout and stderr are decoded as UTF-8 (a character split across reads is kept
 *   whole) and handed to `onOutput` as they arrive, *unredacted* — use `executeApproved` to
 *   send them. After `maxOutputBytes` (both streams together, default 1 MiB) further output is
 *   read and discarded and `truncated` is true; the command itself keeps running until it
 *   exits or times out, since cutting it short would change what the customer approved.
 * - Process group: the shell is started detached, so it leads its own process group. A timeout
 *   (default 10 min) or an abort sends SIGTERM to the whole group — grandchildren included —
 *   then SIGKILL after `killGraceMs` (default 2 s). When the shell exits, whatever it left
 *   running in the group (`server &`) is terminated too: an approval covers one command run,
 *   not a process that outlives it unseen. (Windows: `taskkill /T /F` on the tree.)
 * - Environment: `env` (default process.env) minus every `CODEVF_*` variable and every
 *   variable whose value equals one of `secretsToStrip` (the customer's API token) — the
 *   engineer must not be able to print the customer's CodeVF credentials.
 * - stdin is closed: nothing the command asks for can be answered, and it cannot read the
 *   terminal the session UI owns.
 * - Rejects (with a short message fit for the engineer) only when the command cannot be started
 *   at all, e.g. the project directory is gone.
 */

export type OutputStream = 'stdout' | 'stderr';

export interface RunApprovedCommandOptions {
  command: string;
  cwd: string;
  /** Default DEFAULT_COMMAND_TIMEOUT_MS (10 minutes). */
  timeoutMs?: number;
  /** Default DEFAULT_MAX_OUTPUT_BYTES (1 MiB), stdout and stderr together. */
  maxOutputBytes?: number;
  /** Base environment of the child (before scrubbing). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Values (tokens) that no variable of the child's environment may hold. */
  secretsToStrip?: readonly string[];
  onOutput?: (stream: OutputStream, text: string) => void;
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL. Default 2000 ms. */
  killGraceMs?: number;
}

export interface CommandResult {
  /** null when the shell was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  truncated: boolean;
  /** The timeout ended the command. */
  timedOut: boolean;
  /** `signal` was aborted (the session ended, the customer cancelled). */
  aborted: boolean;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 2000;
/** After the shell exits, how long background processes may keep its output pipes open. */
const EXIT_DRAIN_MS = 300;

/** The child's environment: `env` without CODEVF_* variables and without any stripped value. */
export function childEnvironment(env: NodeJS.ProcessEnv, secretsToStrip: readonly string[] = []): NodeJS.ProcessEnv {
  const strip = new Set(secretsToStrip.filter((s) => s.length > 0));
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || /^CODEVF_/i.test(key) || strip.has(value)) continue;
    out[key] = value;
  }
  return out;
}

/** What runApprovedCommand starts: program, arguments and spawn options. */
export interface SpawnPlan {
  file: string;
  args: string[];
  options: SpawnOptions;
}

/**
 * The spawn call for `options` on `platform`, without starting anything (tests check it for
 * Windows on any machine). Throws, with a message fit for the engineer, when the command
 * cannot be run exactly as approved there.
 */
export function spawnPlan(
  options: Pick<RunApprovedCommandOptions, 'command' | 'cwd' | 'env' | 'secretsToStrip'>,
  platform: NodeJS.Platform = process.platform,
  isExecutable?: IsExecutable,
): SpawnPlan {
  const baseEnv = options.env ?? process.env;
  const { file, args, windowsVerbatimArguments } = shellInvocation(
    options.command,
    { ...baseEnv, SHELL: baseEnv.SHELL ?? process.env.SHELL },
    platform,
    isExecutable,
  );
  return {
    file,
    args,
    options: {
      cwd: options.cwd,
      env: childEnvironment(baseEnv, options.secretsToStrip),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that a timeout ends the grandchildren too (POSIX only).
      detached: platform !== 'win32',
      windowsHide: true,
      windowsVerbatimArguments,
    },
  };
}

export function runApprovedCommand(options: RunApprovedCommandOptions): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;

  return new Promise<CommandResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: null, durationMs: 0, truncated: false, timedOut: false, aborted: true });
      return;
    }
    try {
      if (!statSync(options.cwd).isDirectory()) throw new Error('not a directory');
    } catch {
      reject(new Error(`the project directory is not available: ${options.cwd}`));
      return;
    }

    const started = performance.now();
    let child: ChildProcess;
    try {
      const plan = spawnPlan(options);
      child = spawn(plan.file, plan.args, plan.options);
    } catch (err) {
      reject(new Error(`the command could not be started: ${(err as Error).message}`));
      return;
    }

    trackUntilExit(child);
    let used = 0;
    let truncated = false;
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };

    const terminate = () => {
      killTree(child, 'SIGTERM');
      later(graceMs, () => killTree(child, 'SIGKILL'));
    };

    const forward = (stream: OutputStream, decoder: StringDecoder) => (chunk: Buffer) => {
      if (truncated) return; // keep reading so the child never blocks on a full pipe
      let part = chunk;
      if (used + chunk.length > maxOutputBytes) {
        part = chunk.subarray(0, maxOutputBytes - used);
        truncated = true;
      }
      used += part.length;
      const text = decoder.write(part);
      if (text) options.onOutput?.(stream, text);
    };
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    child.stdout?.on('data', forward('stdout', decoders.stdout));
    child.stderr?.on('data', forward('stderr', decoders.stderr));

    later(timeoutMs, () => {
      timedOut = true;
      terminate();
    });
    const onAbort = () => {
      aborted = true;
      terminate();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.once('exit', () => {
      // The shell is gone; if its pipes stay open, a background process holds them.
      later(EXIT_DRAIN_MS, terminate);
    });
    child.once('error', (err) => {
      if (settled) return;
      settled = true;
      running.delete(child);
      cleanup();
      reject(new Error(`the command could not be started: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      if (settled) return;
      settled = true;
      cleanup();
      running.delete(child);
      // Leftovers that closed their output but still run in the group end with the command.
      // (Not on Windows: once the shell has exited, its pid may already belong to another process.)
      if (process.platform !== 'win32') {
        killTree(child, 'SIGTERM');
        setTimeout(() => killTree(child, 'SIGKILL'), graceMs).unref();
      }
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = decoders[stream].end();
        if (rest && !truncated) options.onOutput?.(stream, rest);
      }
      resolve({
        exitCode: code,
        signal,
        durationMs: Math.round(performance.now() - started),
        truncated,
        timedOut,
        aborted,
      });
    });

    function cleanup() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      options.signal?.removeEventListener('abort', onAbort);
    }
  });
}

/**
 * Commands still running when the CLI exits (a crash, process.exit) are killed with it:
 * detached groups would otherwise outlive the session.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackUntilExit(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) killTree(c, 'SIGKILL');
  });
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  if (process.platform === 'win32') {
    // By absolute path: a bare name would be looked up in the working directory first.
    const taskkill = win32.join(systemRoot(process.env), 'System32', 'taskkill.exe');
    spawn(taskkill, ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on(
      'error',
      () => {},
    );
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
