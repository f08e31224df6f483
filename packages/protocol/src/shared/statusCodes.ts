import type { ErrorCode } from '../errors';

/**
 * The error code of an HTTP answer that carries no known `code` member (a proxy's page, an old
 * server), by status: what the CLI and the console report in its place.
 */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'E_UNAUTHORIZED';
  if (status === 402) return 'E_INSUFFICIENT_CREDITS';
  if (status === 403) return 'E_FORBIDDEN';
  if (status === 404) return 'E_NOT_FOUND';
  if (status === 409) return 'E_CONFLICT';
  if (status === 413) return 'E_TOO_LARGE';
  if (status === 429) return 'E_RATE_LIMITED';
  if (status === 504) return 'E_TIMEOUT';
  // A proxy answering for a server that is down.
  if (status === 502 || status === 503) return 'E_UNREACHABLE';
  if (status >= 400 && status < 500) return 'E_VALIDATION';
  return 'E_INTERNAL';
}
