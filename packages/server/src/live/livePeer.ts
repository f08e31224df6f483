import type { AuthUser } from '../auth/guards';
import type { AccessHolder } from './accessCheck';
import type { HeartbeatPeer } from './heartbeat';

/**
 * What the live runtime needs of a socket it holds (a LiveConnection): the heartbeat's check,
 * who it belongs to (access changes, the per-user cap), and closing it. An interface of its
 * own, so that the runtime and the connection, which holds the runtime, do not import each other.
 */
export interface LivePeer extends HeartbeatPeer, AccessHolder {
  readonly user: AuthUser;
  readonly taskId: string;
  readonly isClosed: boolean;
  shutdown(code: number, reason: string): void;
}
