import type { ErrorCode } from '../errors';

/** What the live client does about a refusal from the server. */
export type Verdict =
  /** Connect again after the backoff (the cause may pass). */
  | { do: 'retry' }
  /** Give up with this code: retrying cannot help. */
  | { do: 'fail'; code: ErrorCode }
  /** Refresh the access token once, then connect again. */
  | { do: 'refresh' }
  /** Nothing now: the server closes next and the reconnect deals with it. */
  | { do: 'wait' }
  /** Tell the user; the session stays usable. */
  | { do: 'relay' };

/** Codes after which retrying cannot help: the task or the login is not usable. */
const FINAL_CODES = new Set<ErrorCode>(['E_FORBIDDEN', 'E_NOT_FOUND', 'E_PROTOCOL_VERSION']);
const FINAL_STATUS: Record<number, ErrorCode> = { 403: 'E_FORBIDDEN', 404: 'E_NOT_FOUND', 426: 'E_PROTOCOL_VERSION' };
/** Answers to `hello` that a later attempt may not get; any other refuses the resume for good. */
const PASSING_CODES = new Set<ErrorCode>(['E_INTERNAL', 'E_RATE_LIMITED']);

/**
 * The server refused the WebSocket upgrade with an HTTP status (and the problem's code).
 * `canRefresh`: a token refresh is available and was not tried since the last welcome.
 */
export function upgradeRefusal(status: number, code: ErrorCode | null, canRefresh: boolean): Verdict {
  if (status === 401) {
    if (canRefresh) return { do: 'refresh' };
    return { do: 'fail', code: code === 'E_NOT_LOGGED_IN' ? code : 'E_UNAUTHORIZED' };
  }
  // Too many live connections of the account: another attempt would only add to them.
  if (code === 'E_LIMIT_REACHED') return { do: 'fail', code };
  const final = code && FINAL_CODES.has(code) ? code : FINAL_STATUS[status];
  return final ? { do: 'fail', code: final } : { do: 'retry' };
}

/**
 * An `error` frame that answers none of our messages. Before the welcome it answers the
 * `hello`: the session cannot be joined as asked. After it, the login may have expired (the
 * server closes; a client that can refresh its token reconnects), access may be gone, or the
 * server refused something and the session goes on.
 */
export function unansweredError(code: ErrorCode, welcomed: boolean, canRefresh: boolean): Verdict {
  if (!welcomed) return PASSING_CODES.has(code) ? { do: 'retry' } : { do: 'fail', code };
  if (FINAL_CODES.has(code)) return { do: 'fail', code };
  if (code === 'E_UNAUTHORIZED') return canRefresh ? { do: 'wait' } : { do: 'fail', code };
  return { do: 'relay' };
}
