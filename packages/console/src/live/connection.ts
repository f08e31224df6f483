import type { LiveClientState } from '@codevf/protocol/client';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed' | 'failed';

/** A live socket's state as the pages show it. */
export interface Connection {
  state: ConnectionState;
  attempt: number;
  reason?: string;
}

export function connectionOf(s: LiveClientState<Error>): Connection {
  switch (s.kind) {
    case 'connecting':
      return { state: 'connecting', attempt: 0 };
    case 'connected':
      return { state: 'live', attempt: 0 };
    case 'reconnecting':
      return { state: 'reconnecting', attempt: s.attempt, reason: s.reason };
    case 'closed':
      return { state: 'closed', attempt: 0 };
    case 'failed':
      return { state: 'failed', attempt: 0, reason: s.error.message };
  }
}
