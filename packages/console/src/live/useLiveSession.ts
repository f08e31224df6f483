import type { Frame } from '@codevf/protocol';
import {
  browserTransport,
  type ClientMessages,
  createLiveClient,
  type LiveClient,
  LiveClientError,
  type LiveClientState,
  liveSessionUrl,
} from '@codevf/protocol/client';
import type { SessionView } from '@codevf/protocol/shared';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api } from '../api/api';
import { ApiError } from '../api/apiError';
import { applyEvent, type EventLike, initialSessionState, readWelcomeRole, type WelcomeRole } from './sessionState';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed' | 'failed';

export interface Connection {
  state: ConnectionState;
  attempt: number;
  reason?: string;
}

export interface LiveSession {
  state: SessionView;
  connection: Connection;
  /** Last server error that answered none of our messages (shown, then dismissed). */
  serverError: string | null;
  /** The role the server's welcome gave this socket; null until the first welcome (of this connection). */
  role: WelcomeRole | null;
  clearServerError(): void;
  /**
   * Closes the socket and opens a new one, resuming after the events the view has: the server
   * decides the role at each welcome, so this is how a guide who took over becomes the engineer.
   */
  reconnect(): void;
  send<T extends keyof ClientMessages>(type: T, payload: ClientMessages[T]): Promise<{ seq: number | null }>;
}

type Client = LiveClient<Frame, LiveClientError, ClientMessages>;

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

/** Asked before each reconnect: a browser cannot see why an upgrade was refused, REST can. */
async function stillAllowed(taskId: string): Promise<boolean> {
  try {
    await api.task(taskId);
    return true;
  } catch (err) {
    if (err instanceof ApiError && ['E_FORBIDDEN', 'E_NOT_FOUND', 'E_UNAUTHORIZED'].includes(err.code)) return false;
    return true;
  }
}

/** Connects the page to a task's live session and folds its events into view state. */
export function useLiveSession(taskId: string, enabled: boolean): LiveSession {
  const [state, dispatch] = useReducer(applyEvent, undefined, initialSessionState);
  const [connection, setConnection] = useState<Connection>({ state: 'connecting', attempt: 0 });
  const [serverError, setServerError] = useState<string | null>(null);
  const [role, setRole] = useState<WelcomeRole | null>(null);
  const [generation, setGeneration] = useState(0);
  const clientRef = useRef<Client | null>(null);
  // Events are applied in arrival order, so the highest seq received is the resume point.
  const lastSeq = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new generation is a new socket
  useEffect(() => {
    if (!enabled) return;
    const client = createLiveClient<Frame, LiveClientError, ClientMessages>({
      url: liveSessionUrl(window.location.origin, taskId),
      transport: browserTransport(),
      lastSeq: lastSeq.current,
      // The console keeps trying until the session ends, access is gone or the page closes.
      maxReconnectAttempts: Number.POSITIVE_INFINITY,
      createError: (code, message) => new LiveClientError(code, message),
      beforeReconnect: () => stillAllowed(taskId),
    });
    client.onState((s) => setConnection(connectionOf(s)));
    client.onFrame((f) => {
      if (f.type === 'welcome') setRole(readWelcomeRole(f.payload));
      if (f.seq === undefined) return;
      if (f.seq > lastSeq.current) lastSeq.current = f.seq;
      dispatch(f as EventLike);
    });
    client.onServerError((e) => setServerError(e.message));
    clientRef.current = client;
    client.start();
    return () => {
      client.close();
      clientRef.current = null;
    };
  }, [taskId, enabled, generation]);

  const send = useCallback(<T extends keyof ClientMessages>(type: T, payload: ClientMessages[T]) => {
    const c = clientRef.current;
    if (!c) return Promise.reject(new Error('Not connected.'));
    return c.send(type, payload).acked.then((seq) => ({ seq }));
  }, []);
  const clearServerError = useCallback(() => setServerError(null), []);
  const reconnect = useCallback(() => {
    setRole(null);
    setGeneration((g) => g + 1);
  }, []);
  return { state, connection, serverError, role, clearServerError, reconnect, send };
}
