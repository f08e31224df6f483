import { type ErrorCode, isErrorCode } from '@codevf/protocol/errors';
import { CodevfError } from './errors';

/** Codes for answers that carry no (known) `code` member, by HTTP status. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'E_UNAUTHORIZED';
  if (status === 402) return 'E_INSUFFICIENT_CREDITS';
  if (status === 403) return 'E_FORBIDDEN';
  if (status === 404) return 'E_NOT_FOUND';
  if (status === 409) return 'E_CONFLICT';
  if (status === 413) return 'E_TOO_LARGE';
  if (status === 429) return 'E_RATE_LIMITED';
  if (status === 504) return 'E_TIMEOUT';
  if (status === 502 || status === 503) return 'E_UNREACHABLE';
  if (status >= 400 && status < 500) return 'E_VALIDATION';
  return 'E_INTERNAL';
}

/**
 * Turns an error answer (RFC 9457 problem details with our `code`, or anything else) into a
 * CodevfError, so the CLI shows the server's code, message and exit code.
 */
export function problemToError(status: number, bodyText: string, what: string): CodevfError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status.
  }
  const code = isErrorCode(body.code) ? body.code : codeForStatus(status);
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const message = text(body.detail) ?? text(body.title) ?? `${what} failed with HTTP ${status}.`;
  return new CodevfError(code, message, { hint: text(body.hint) });
}
