import { ERROR_CODES, type ErrorCode, ExitCode } from '@codevf/protocol';
import { ApiError } from '../http/errors';

/**
 * How `codevf-server`'s admin commands answer: the same `--json` envelope and exit codes as the
 * `codevf` CLI (docs/PROTOCOL.md §4), so scripts that drive one can drive the other.
 */
export interface Problem {
  code: ErrorCode;
  message: string;
  hint: string;
}

/** An operator-facing failure with a hint more specific than the error table's. */
export class OperatorError extends ApiError {
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(code, message);
    this.hint = hint;
  }
}

export function toProblem(err: unknown): Problem {
  if (err instanceof ApiError) {
    const hint = (err instanceof OperatorError && err.hint) || ERROR_CODES[err.code].hint;
    return { code: err.code, message: err.message, hint };
  }
  // Configuration mistakes (a bad CODEVF_* value, an unreachable DATABASE_URL) arrive as plain
  // errors; their message names what to fix.
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'E_INTERNAL', message, hint: 'Check the server settings named in the message (see --help).' };
}

export interface Writer {
  out(text: string): void;
  err(text: string): void;
  /** Bold and dim only on a terminal, and never with NO_COLOR. */
  color: boolean;
}

export const processWriter = (): Writer => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
});

export function writeOk(w: Writer, json: boolean, data: unknown, human: () => void): void {
  if (json) w.out(`${JSON.stringify({ ok: true, data })}\n`);
  else human();
}

/** Prints the failure (envelope on stdout with --json, `Error:`/`Hint:` on stderr otherwise); returns the exit code. */
export function writeFailure(w: Writer, json: boolean, err: unknown): number {
  const p = toProblem(err);
  if (json) w.out(`${JSON.stringify({ ok: false, error: p })}\n`);
  else {
    const style = (code: string, t: string) => (w.color ? `\x1b[${code}m${t}\x1b[0m` : t);
    w.err(`${style('1;31', 'Error:')} ${p.message}\n`);
    w.err(`${style('2', 'Hint:')} ${p.hint}\n`);
  }
  return ERROR_CODES[p.code].exit ?? ExitCode.error;
}
