import type { ErrorCode } from '../errors';

/**
 * The WebSocket close codes the server sends on a live-session socket (docs/PROTOCOL.md §3.2).
 * The server closes with no others; a client may also see 1006 (connection lost, no close frame).
 */
export const CLOSE_CODES = {
  /** The client closed it, or the server after the session ended. */
  normal: 1000,
  /** The server is shutting down: reconnect (to another instance). */
  goingAway: 1001,
  /** `hello` had another protocol version: update the client; reconnecting cannot help. */
  protocolVersion: 1002,
  /** The task vanished after the upgrade: reconnecting cannot help. */
  policy: 1008,
  /** A frame over the server's hard cap (1 MiB + the file frame limit). */
  tooLarge: 1009,
  /** The server failed to deliver events or to check access: reconnect with `lastSeq`. */
  internal: 1011,
  /** The client let too much pile up unread: reconnect with `lastSeq`. */
  tooFarBehind: 1013,
  /**
   * The login behind the socket ended: its token's login was revoked (logout, refresh-token
   * reuse) or its console session signed out or expired. Sign in again; reconnecting cannot help.
   */
  unauthorized: 4001,
  /** The account was disabled or its role changed: its access is not what it was. Final. */
  forbidden: 4003,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/**
 * Close codes after which reconnecting cannot help, with the error the client fails with.
 * 1009 is final too: the frame that caused it is still unacknowledged and would be re-sent.
 */
const FINAL_CLOSE: Partial<Record<number, ErrorCode>> = {
  [CLOSE_CODES.protocolVersion]: 'E_PROTOCOL_VERSION',
  [CLOSE_CODES.policy]: 'E_FORBIDDEN',
  [CLOSE_CODES.tooLarge]: 'E_TOO_LARGE',
  [CLOSE_CODES.unauthorized]: 'E_UNAUTHORIZED',
  [CLOSE_CODES.forbidden]: 'E_FORBIDDEN',
};

/** The error a close with `code` ends the session with, or null when a reconnect may help. */
export function finalCloseError(code: number): ErrorCode | null {
  return FINAL_CLOSE[code] ?? null;
}

export function isFatalClose(code: number): boolean {
  return finalCloseError(code) !== null;
}
