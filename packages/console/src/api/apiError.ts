import type { ErrorCode } from '@codevf/protocol/errors';

/**
 * An error from talking to the server, already turned into words for the person at the
 * console. `code` is the server's stable code (problem details), or E_UNREACHABLE when no answer
 * came back, or E_INTERNAL for an answer that was not ours.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Field-level problems of an E_VALIDATION answer, keyed by field path. */
  readonly fields: Record<string, string>;

  constructor(code: ErrorCode, message: string, status: number, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

/** Console wording per code; the server's `detail` is added where it says something specific. */
const FRIENDLY: Partial<Record<ErrorCode, string>> = {
  E_UNAUTHORIZED: 'Your session expired. Sign in again.',
  E_NOT_LOGGED_IN: 'You are signed out. Sign in again.',
  E_FORBIDDEN: 'Your account is not allowed to do that.',
  E_NOT_FOUND: 'Not found, or not visible to your account.',
  E_RATE_LIMITED: 'Too many attempts. Wait a minute and try again.',
  E_UNREACHABLE: 'Cannot reach the CodeVF server. Check your connection and try again.',
  E_TIMEOUT: 'The server did not answer in time. Try again.',
  E_INTERNAL: 'Something went wrong on the server. Try again in a moment.',
  E_INSUFFICIENT_CREDITS: 'Not enough credits.',
  E_TOO_LARGE: 'That is too large to send.',
  E_REQUEST_EXPIRED: 'That request has expired.',
};

/** Codes whose server detail is the useful part (it names the field or the conflict). */
const DETAIL_FIRST = new Set<ErrorCode>([
  'E_VALIDATION',
  'E_CONFLICT',
  'E_FORBIDDEN',
  'E_INSUFFICIENT_CREDITS',
  'E_NOT_FOUND',
]);

export function friendlyMessage(code: ErrorCode, detail: string | undefined): string {
  const base = FRIENDLY[code];
  const d = detail?.trim();
  if (d && DETAIL_FIRST.has(code)) return d.endsWith('.') ? d : `${d}.`;
  return base ?? (d || 'Something went wrong.');
}

/** The error a page shows for a failed call: an ApiError as it came, anything else as E_INTERNAL with `fallback`. */
export function asApiError(err: unknown, fallback: string): ApiError {
  return err instanceof ApiError ? err : new ApiError('E_INTERNAL', fallback, 0);
}
