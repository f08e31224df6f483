import type { ErrorCode } from '../errors';

/**
 * One WebSocket connection attempt, as the live client sees it. The client is written against
 * this, not a WebSocket class: a browser's WebSocket and the `ws` package differ in what they
 * can do (only `ws` sets headers, sees the HTTP status of a refused upgrade and sends pings).
 */
export interface Transport {
  send(text: string): void;
  /** Closes with a close frame. */
  close(code: number, reason: string): void;
  /** Drops the connection at once, as a network failure would. */
  terminate(): void;
  /** Asks the peer for a sign of life (answered through `onAlive`); absent where the platform has no ping (browsers). */
  ping?(): void;
}

/** What a transport reports; it reports nothing after `close` or `terminate` was called. */
export interface TransportEvents {
  onOpen(): void;
  onMessage(text: string): void;
  /** A pong or a ping from the peer. */
  onAlive(): void;
  /** The connection is gone; a failure to connect closes with 1006 and the reason. */
  onClose(code: number, reason: string): void;
  /** The server refused the upgrade with an HTTP status (and the problem's code, when given). */
  onRefused(status: number, code: ErrorCode | null): void;
}

/** Opens a connection to `url`; `token` is a bearer token when the platform can send one. */
export type OpenTransport = (url: string, events: TransportEvents, auth: { token?: string }) => Transport;
