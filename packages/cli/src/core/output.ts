import { CodevfError, toCodevfError } from './errors';
import type { IO } from './io';

/**
 * The one place that writes a command's outcome: the `--json` envelope (docs/PROTOCOL.md §4) or
 * friendly text, and the exit code that goes with it.
 */
export function writeSuccess(io: IO, json: boolean, data: unknown): void {
  if (json) io.out(`${JSON.stringify({ ok: true, data: data ?? null })}\n`);
}

/** Prints the error and returns the exit code for it (from the protocol's error table). */
export function writeFailure(io: IO, json: boolean, thrown: unknown): number {
  const err = toCodevfError(thrown);
  if (json) {
    io.out(`${JSON.stringify({ ok: false, error: { code: err.code, message: err.message, hint: err.hint } })}\n`);
  } else {
    io.err(`${io.style(['red', 'bold'], 'Error:')} ${err.message}\n`);
    if (err.hint) io.err(`${io.style('dim', 'Hint:')} ${err.hint}\n`);
  }
  // Internal errors are bugs: the stack helps, but only on request (it can be long and alarming).
  if (err.code === 'E_INTERNAL' && io.env.CODEVF_DEBUG) {
    const cause = err.cause instanceof Error ? err.cause : err;
    io.err(`${cause.stack ?? cause.message}\n`);
  }
  return err.exitCode;
}

export { CodevfError };
