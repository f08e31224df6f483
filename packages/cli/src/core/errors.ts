import { ERROR_CODES, type ErrorCode, ExitCode, type ExitCodeValue } from '@codevf/protocol/errors';

/**
 * The one error type the CLI raises on purpose. It carries a code from the protocol's error
 * table, so its exit code and default hint come from that table too. Anything else that
 * escapes a command is an internal error (E_INTERNAL, printed without a stack unless DEBUG).
 */
export class CodevfError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly exitCode: ExitCodeValue;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; exitCode?: ExitCodeValue } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'CodevfError';
    this.code = code;
    this.hint = options.hint ?? ERROR_CODES[code].hint;
    this.exitCode = options.exitCode ?? ERROR_CODES[code].exit;
  }
}

/** Maps anything thrown to a CodevfError (unknown errors become E_INTERNAL). */
export function toCodevfError(err: unknown): CodevfError {
  if (err instanceof CodevfError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CodevfError('E_INTERNAL', message, { cause: err });
}

export { ExitCode };

/** The user pressed Ctrl+C: exit 130 (docs/PROTOCOL.md §4), whatever the command was doing. */
export function interrupted(): CodevfError {
  return new CodevfError('E_CANCELLED', 'Interrupted.', {
    exitCode: ExitCode.interrupted,
    hint: 'Run the command again when ready.',
  });
}
