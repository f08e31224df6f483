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
    // We decide about colour ourselves (from the stream we write to, not process.stdout), so
    // styleText's own check is switched off.
    style: (format, text) => (color ? styleText(format, text, { validateStream: false }) : text),
  };
}

/** The real terminal of this process. */
export function createProcessIO(): IO {
  const io = createIO({
    // Placeholders: replaced by lazy getters below.
    stdin: undefined as unknown as Readable,
    stdinIsTTY: false,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stderr.columns ?? process.stdout.columns,
  });
  // Touching process.stdin builds a stream (for a pipe, a socket that loads node:net and can
  // hold the process open). Most commands never read stdin, so nothing about it is looked at
  // until a command asks.
  const stdinIsTTY = () => Boolean(process.stdin.isTTY);
  return Object.defineProperties(io, {
    stdin: { get: () => process.stdin, enumerable: true },
    stdinIsTTY: { get: stdinIsTTY, enumerable: true },
    canPrompt: { get: () => stdinIsTTY() && io.stderrIsTTY && !isCI(io.env), enumerable: true },
  });
}
