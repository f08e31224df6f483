import type { HeartbeatPeer } from './heartbeat';

/**
 * What the live runtime needs of a socket it holds (a LiveConnection): the heartbeat's check,
 * and closing it when the server shuts down. An interface of its own, so that the runtime and
 * the connection, which holds the runtime, do not import each other.
 */
export interface LivePeer extends HeartbeatPeer {
  shutdown(code: number, reason: string): void;
}
