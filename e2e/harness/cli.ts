/**
 * Runs the real, built `codevf` binary (packages/cli/dist/codevf.js) for end-to-end tests, with
 * an isolated HOME and config folder so no test ever sees the developer's own login.
 * Build first: `npm run build -w packages/cli` (the root `npm test` does).
 *
 *   runCli(args, opts)       → {code, signal, stdout, stderr} once it exits
 *   startCli(args, opts)     → a running process: waitForStderr/waitForStdout, kill, result
 *   spawnCliPty(args, opts)  → a process in a pseudo-terminal (isTTY true): screen, waitFor, press
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import type { StoredAuth } from '../../packages/cli/src/core/authStore';
import type { TestServer, TestUser } from '../../packages/server/test/support/testServer';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_PATH = join(REPO_ROOT, 'packages/cli/dist/codevf.js');

export interface CliOptions {
  /** Becomes HOME; the config folder is <home>/.config (XDG_CONFIG_HOME) and APPDATA. */
  home: string;
  cwd?: string;
  /** Extra variables; `undefined` removes one. CODEVF_API_URL is unset unless given here. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Kill the process (SIGKILL) after this long; default 20 s. */
  timeoutMs?: number;
  /** An installed `codevf` executable, run as it is, instead of node with the repository's build. */
  bin?: string;
}

export interface CliResult {
  /** Exit code; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temporary HOME for one test (or one describe block); remove it with the returned cleanup. */
export function createTempHome(prefix = 'codevf-home-'): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** The auth.json path the CLI uses for this HOME (Linux/macOS layout). */
export function authFileFor(home: string): string {
  return join(home, '.config', 'codevf', 'auth.json');
}

/** What `codevf login` as `user` leaves in auth.json (docs/PROTOCOL.md §4), for tokens issued just now. */
export function loginRecord(
  baseUrl: string,
  user: Pick<TestUser, 'id' | 'email' | 'name' | 'role'>,
  tokens: { accessToken: string; refreshToken: string; expiresIn: number },
): StoredAuth {
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: new Date(Date.now() + tokens.expiresIn * 1000).toISOString(),
    userId: user.id,
    baseUrl,
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
  };
}

/** Writes a login straight into this HOME's auth.json, in the layout, format and modes the CLI uses. */
export function writeAuthFile(home: string, auth: StoredAuth): void {
  const file = authFileFor(home);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(auth, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Logs `user` in on disk, as a previous `codevf login` would have: fresh tokens from the server,
 * written to this HOME's auth.json. `overrides` change fields of the stored login.
 */
export async function storeLogin(
  server: TestServer,
  home: string,
  user: TestUser,
  overrides: Partial<StoredAuth> = {},
): Promise<{ tokens: Awaited<ReturnType<TestServer['issueTokens']>>; auth: StoredAuth }> {
  const tokens = await server.issueTokens(user.id);
  const auth = { ...loginRecord(server.baseUrl, user, tokens), ...overrides };
  writeAuthFile(home, auth);
  return { tokens, auth };
}

/** The environment a CLI under test sees: the parent's, minus anything that could leak in. */
export function cliEnv(home: string, extra: CliOptions['env'] = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) {
    // CI changes the CLI's behaviour (no prompts, no browser, `fix` refuses): a test sees the
    // same CLI on a laptop and in CI, and tests of CI behaviour set it explicitly.
    if (key.startsWith('CODEVF_') || ['FORCE_COLOR', 'NO_COLOR', 'CI', 'CONTINUOUS_INTEGRATION'].includes(key)) {
      delete env[key];
    }
  }
  Object.assign(env, {
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    APPDATA: join(home, 'AppData', 'Roaming'),
    // Never let a test try to open a real browser.
    DISPLAY: undefined,
    WAYLAND_DISPLAY: undefined,
    ...extra,
  });
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
  return clean;
}

/** The program and its arguments: the installed `bin` as it is, else node with the repository's build. */
function commandLine(args: string[], bin: string | undefined, cliPath = CLI_PATH): [string, string[]] {
  if (bin) return [bin, args];
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build -w packages/cli first`);
  return [process.execPath, [cliPath, ...args]];
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with stderr so far once it matches; rejects after timeoutMs (default 10 s). */
  waitForStderr(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  waitForStdout(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  write(data: string): void;
  kill(signal?: NodeJS.Signals): void;
  result: Promise<CliResult>;
}

const matches = (text: string, pattern: string | RegExp) =>
  typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);

/** Starts the CLI and returns at once, for tests that must act while it runs (approve a login). */
export function startCli(args: string[], options: CliOptions): RunningCli {
  const [file, argv] = commandLine(args, options.bin);
  const child = spawn(file, argv, {
    cwd: options.cwd ?? options.home,
    env: cliEnv(options.home, options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    notify();
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    notify();
  });
  if (options.input !== undefined) child.stdin?.end(options.input);

  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const result = new Promise<CliResult>((resolveResult, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      notify();
      resolveResult({ code, signal, stdout: out, stderr: err });
    });
  });
  let exited = false;
  void result.then(() => {
    exited = true;
    notify();
  });

  const waitFor =
    (read: () => string, which: string) =>
    (pattern: string | RegExp, timeoutMs = 10_000) =>
      new Promise<string>((resolveWait, reject) => {
        const check = () => {
          const text = read();
          if (matches(text, pattern)) done(() => resolveWait(text));
          else if (exited) done(() => reject(new Error(`CLI exited before ${which} matched ${pattern}:\n${text}`)));
        };
        const t = setTimeout(
          () => done(() => reject(new Error(`timed out waiting for ${which} to match ${pattern}:\n${read()}`))),
          timeoutMs,
        );
        const done = (fn: () => void) => {
          clearTimeout(t);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStderr: waitFor(() => err, 'stderr'),
    waitForStdout: waitFor(() => out, 'stdout'),
    write: (data) => void child.stdin?.write(data),
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    result,
  };
}

/** Runs the CLI to completion (stdin closed unless `input` is given) and returns its output. */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const running = startCli(args, { ...options, input: options.input ?? '' });
  return running.result;
}

/** Parses stdout as the single --json document the CLI promises; throws if there is anything else. */
export function parseJsonOutput<T = unknown>(
  result: CliResult,
): { ok: true; data: T } | { ok: false; error: { code: string; message: string; hint?: string } } {
  const text = result.stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`stdout is not exactly one JSON document:\n${result.stdout}\n--- stderr:\n${result.stderr}`);
  }
}

export interface PtyOptions extends Omit<CliOptions, 'input' | 'timeoutMs'> {
  cols?: number;
  rows?: number;
  /** Another build's entry file (benchmarks comparing builds); default the built CLI. */
  cliPath?: string;
}

export interface PtyCli {
  /** Everything the CLI drew since start (or the last clear()), ANSI escapes stripped. */
  screen(): string;
  /** The raw output, escapes included (colour checks). */
  raw(): string;
  /** Forgets the output so far, so the next waitFor only sees what comes after. */
  clear(): void;
  /** Resolves with screen() once it contains the text or matches the pattern (default 10 s). */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  write(data: string): void;
  /** Presses a key: enter, ctrl-c, ctrl-d, up, down, left, right, tab, escape, backspace, space, or a character. */
  press(key: string): void;
  kill(signal?: string): void;
  /** Resizes the terminal (the program gets SIGWINCH). */
  resize(cols: number, rows: number): void;
  exit: Promise<{ exitCode: number; signal?: number }>;
}

const KEYS: Record<string, string> = {
  enter: '\r',
  return: '\r',
  'ctrl-c': '\x03',
  'ctrl-d': '\x04',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  tab: '\t',
  escape: '\x1b',
  backspace: '\x7f',
  space: ' ',
};

/** Stops the CLI if a test left it running. */
export async function stopCli(cli: PtyCli | undefined): Promise<void> {
  if (!cli) return;
  cli.kill('SIGKILL');
  await Promise.race([cli.exit, new Promise((r) => setTimeout(r, 2_000))]);
}

/** Runs the CLI in a pseudo-terminal (stdin/stdout/stderr are TTYs), for the interactive UI. */
export async function spawnCliPty(args: string[], options: PtyOptions): Promise<PtyCli> {
  const [file, argv] = commandLine(args, options.bin, options.cliPath);
  const pty = await import('node-pty');
  const term = pty.spawn(file, argv, {
    name: 'xterm-256color',
    cols: options.cols ?? 100,
    rows: options.rows ?? 30,
    cwd: options.cwd ?? options.home,
    env: cliEnv(options.home, { TERM: 'xterm-256color', ...options.env }),
  });
  let raw = '';
  let exited = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  term.onData((d) => {
    raw += d;
    notify();
  });
  const exit = new Promise<{ exitCode: number; signal?: number }>((resolveExit) => {
    term.onExit((e) => {
      exited = true;
      notify();
      resolveExit(e);
    });
  });
  const screen = () => stripVTControlCharacters(raw).replace(/\r/g, '');

  return {
    screen,
    raw: () => raw,
    clear: () => {
      raw = '';
    },
    waitFor: (pattern, timeoutMs = 10_000) =>
      new Promise<string>((resolveWait, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(t);
          listeners.delete(check);
          fn();
        };
        const check = () => {
          const text = screen();
          if (matches(text, pattern)) done(() => resolveWait(text));
          else if (exited) done(() => reject(new Error(`CLI exited before the screen matched ${pattern}:\n${text}`)));
        };
        const t = setTimeout(
          () => done(() => reject(new Error(`timed out waiting for the screen to match ${pattern}:\n${screen()}`))),
          timeoutMs,
        );
        listeners.add(check);
        check();
      }),
    write: (data) => term.write(data),
    press: (key) => term.write(KEYS[key.toLowerCase()] ?? key),
    kill: (signal) => {
      if (!exited) term.kill(signal);
    },
    resize: (cols, rows) => {
      if (!exited) term.resize(cols, rows);
    },
    exit,
  };
}
