/**
 * The WebSocket close codes the server sends on a live-session socket (docs/PROTOCOL.md §3.2).
 * The server closes with no others; a client may also see 1006 (connection lost, no close frame).
 */
export const CLOSE_CODES = {
  /** The client closed it. */
  normal: 1000,
  /** The server is shutting down: reconnect (to another instance). */
  goingAway: 1001,
  /** `hello` had another protocol version: update the client; reconnecting cannot help. */
  protocolVersion: 1002,
  /** The task vanished after the upgrade: reconnecting cannot help. */
  policy: 1008,
  /** A frame over the server's hard cap (1 MiB + the file frame limit): reconnect. */
  tooLarge: 1009,
  /** The server failed to deliver events or to check access: reconnect with `lastSeq`. */
  internal: 1011,
  /** The client let too much pile up unread: reconnect with `lastSeq`. */
  tooFarBehind: 1013,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** Close codes after which reconnecting cannot help. */
export const FATAL_CLOSE_CODES: readonly number[] = [CLOSE_CODES.protocolVersion, CLOSE_CODES.policy];

export function isFatalClose(code: number): boolean {
  return FATAL_CLOSE_CODES.includes(code);
}
