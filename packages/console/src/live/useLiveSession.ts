import type { ClientMessageType, ClientPayload } from '@codevf/protocol';
import type { SessionView } from '@codevf/protocol/shared';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api } from '../api/api';
import { ApiError } from '../api/apiError';
import { type ConnectionState, LiveSocket, liveSocketUrl, type ServerFrame } from './liveSocket';
import { applyEvent, initialSessionState } from './sessionState';

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
  clearServerError(): void;
  send<T extends ClientMessageType>(type: T, payload: ClientPayload<T>): Promise<{ seq: number | null }>;
}

function reducer(state: SessionView, frame: ServerFrame & { seq: number }): SessionView {
  return applyEvent(state, frame);
}

/** Connects the page to a task's live session and folds its events into view state. */
export function useLiveSession(taskId: string, enabled: boolean): LiveSession {
  const [state, dispatch] = useReducer(reducer, undefined, initialSessionState);
  const [connection, setConnection] = useState<Connection>({ state: 'connecting', attempt: 0 });
  const [serverError, setServerError] = useState<string | null>(null);
  const socketRef = useRef<LiveSocket | null>(null);
  // Events are applied in arrival order, so the highest seq received is the resume point.
  const lastSeq = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    const socket = new LiveSocket({
      url: liveSocketUrl(taskId, window.location),
      lastSeq: () => lastSeq.current,
      onEvent: (frame) => {
        if (frame.seq > lastSeq.current) lastSeq.current = frame.seq;
        dispatch(frame);
      },
      onState: (s, detail) =>
        setConnection({
          state: s,
          attempt: detail?.attempt ?? 0,
          ...(detail?.reason ? { reason: detail.reason } : {}),
        }),
      onServerError: (_code, message) => setServerError(message),
      shouldReconnect: async () => {
        try {
          await api.task(taskId);
          return true;
        } catch (err) {
          if (err instanceof ApiError && ['E_FORBIDDEN', 'E_NOT_FOUND', 'E_UNAUTHORIZED'].includes(err.code))
            return false;
          return true;
        }
      },
    });
    socketRef.current = socket;
    socket.start();
    return () => {
      socket.stop();
      socketRef.current = null;
    };
  }, [taskId, enabled]);

  const send = useCallback(<T extends ClientMessageType>(type: T, payload: ClientPayload<T>) => {
    const s = socketRef.current;
    if (!s) return Promise.reject(new Error('Not connected.'));
    return s.send(type, payload);
  }, []);
  const clearServerError = useCallback(() => setServerError(null), []);
  return { state, connection, serverError, clearServerError, send };
}
