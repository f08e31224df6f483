import type { Readable, Writable } from 'node:stream';
import { styleText } from 'node:util';

/**
 * The one object that owns the terminal: streams plus the facts commands decide on.
 * Data goes to stdout, status and prompts to stderr (so `--json` and pipes stay clean).
 * Tests use createMemoryIO() instead of touching the process streams.
 */
export interface IO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** A person can answer questions: stdin and stderr are terminals and this is not CI. */
  readonly canPrompt: boolean;
  /** Colour on stderr/stdout is wanted (TTY, no NO_COLOR, or FORCE_COLOR). */
  readonly color: boolean;
  /** Width of the terminal in columns (80 when unknown). */
  readonly columns: number;
  /** Writes data to stdout. */
  out(text: string): void;
  /** Writes status, progress and warnings to stderr. */
  err(text: string): void;
  /** Styles text when colour is on; returns it unchanged otherwise. */
  style(format: StyleFormat | StyleFormat[], text: string): string;
}

export type StyleFormat = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'gray';

/** NO_COLOR (https://no-color.org) wins when set to anything non-empty; FORCE_COLOR turns colour on. */
export function wantsColor(env: IO['env'], isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export function isCI(env: IO['env']): boolean {
  return Boolean(env.CI && env.CI !== '0' && env.CI !== 'false');
}

interface IOParts {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: IO['env'];
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  columns?: number;
}

export function createIO(parts: IOParts): IO {
  const color = wantsColor(parts.env, parts.stderrIsTTY);
  return {
    ...parts,
    canPrompt: parts.stdinIsTTY && parts.stderrIsTTY && !isCI(parts.env),
    color,
    columns: parts.columns && parts.columns > 0 ? parts.columns : 80,
    out: (text) => void parts.stdout.write(text),
    err: (text) => void parts.stderr.write(text),
    // styleText in Node 20 does not look at NO_COLOR or the stream itself, hence the gate.
    style: (format, text) => (color ? styleText(format, text) : text),
  };
}

/** The real terminal of this process. */
export function createProcessIO(): IO {
  return createIO({
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stderr.columns ?? process.stdout.columns,
  });
}
