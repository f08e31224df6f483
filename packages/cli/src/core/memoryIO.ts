import { PassThrough, Writable } from 'node:stream';
import { createIO, type IO } from './io';

export interface MemoryIO extends IO {
  /** Everything written to stdout so far. */
  stdoutText(): string;
  /** Everything written to stderr so far. */
  stderrText(): string;
  /** Feeds text to stdin (as if typed or piped). */
  type(text: string): void;
}

/** An I/O object kept in memory, for unit tests of commands and of the runner. */
export function createMemoryIO(options: { env?: IO['env']; tty?: boolean; columns?: number } = {}): MemoryIO {
  const out: string[] = [];
  const errs: string[] = [];
  const sink = (chunks: string[]) =>
    new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
  const stdin = new PassThrough();
  const tty = options.tty ?? false;
  const io = createIO({
    stdin,
    stdout: sink(out),
    stderr: sink(errs),
    env: options.env ?? {},
    stdinIsTTY: tty,
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    columns: options.columns,
  });
  return {
    ...io,
    // Writable.write is asynchronous in principle; collect synchronously so tests can read at once.
    out: (text) => void out.push(text),
    err: (text) => void errs.push(text),
    stdoutText: () => out.join(''),
    stderrText: () => errs.join(''),
    type: (text) => void stdin.write(text),
  };
}
