import type { ErrorCode } from '../errors';

/**
 * WebSocket close codes the live-session server sends (RFC 6455 §7.4.1), and what a client
 * does about each. Codes not listed here (1000, 1001 shutdown, 1006 a dropped connection,
 * 1011 delivery failed, 1013 too far behind) are worth a reconnect: the client resumes with
 * `lastSeq` and loses nothing.
 */
export const CLOSE_CODES = {
  /** Closed by us, or by the server after a session ended. */
  normal: 1000,
  /** The server is shutting down; another instance (or this one, restarted) takes the resume. */
  goingAway: 1001,
  /** The client speaks another protocol version (after `error {E_PROTOCOL_VERSION}`). */
  protocolError: 1002,
  /** The task is gone (after `error {E_NOT_FOUND}`). */
  policyViolation: 1008,
  /** A frame over the server's hard size cap. */
  messageTooBig: 1009,
  /** The server failed to deliver events. */
  internalError: 1011,
  /** The client let too much pile up unread; it resumes with `lastSeq`. */
  tryAgainLater: 1013,
} as const;

/**
 * Close codes after which reconnecting cannot help, with the error the client fails with.
 * A 1009 is final too: the frame that caused it is still unacknowledged and would be re-sent.
 */
const FINAL_CLOSE: Partial<Record<number, ErrorCode>> = {
  [CLOSE_CODES.protocolError]: 'E_PROTOCOL_VERSION',
  [CLOSE_CODES.policyViolation]: 'E_FORBIDDEN',
  [CLOSE_CODES.messageTooBig]: 'E_TOO_LARGE',
};

/** The error a close with `code` ends the session with, or null when a reconnect may help. */
export function finalCloseError(code: number): ErrorCode | null {
  return FINAL_CLOSE[code] ?? null;
}
