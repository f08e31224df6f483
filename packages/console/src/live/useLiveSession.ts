import type { ClientMessages } from '@codevf/protocol/client';
import type { SessionView } from '@codevf/protocol/shared';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Connection } from './connection';
import { initialSessionState, type WelcomeRole } from './sessionState';
import { type SessionEntry, SessionStore } from './sessionStore';
import { useWorkspaceSessions } from './workspace';

export { type Connection, type ConnectionState, connectionOf } from './connection';

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

const EMPTY: SessionEntry = {
  taskId: '',
  description: '',
  state: initialSessionState(),
  connection: { state: 'connecting', attempt: 0 },
  serverError: null,
  role: null,
  unread: 0,
};

/**
 * A task's live session for the page showing it. In the engineer's workspace (workspace.tsx)
 * the session is held by the workspace's store and outlives the page: leaving the page keeps
 * the socket open. Without a workspace (a page rendered on its own) the page holds the socket
 * itself, for as long as it is shown.
 */
export function useLiveSession(taskId: string, enabled: boolean, description = ''): LiveSession {
  const shared = useWorkspaceSessions();
  const [own] = useState(() => (shared ? null : new SessionStore()));
  const store = (shared ?? own) as SessionStore;

  useEffect(() => {
    if (!enabled) return;
    store.open(taskId, description);
    store.view(taskId);
    return () => {
      store.view(null);
      if (store === own) store.close(taskId);
    };
  }, [store, own, taskId, enabled, description]);

  const entry = useSyncExternalStore(
    store.subscribe,
    () => store.get(taskId) ?? EMPTY,
    () => EMPTY,
  );
  const send = useCallback(
    <T extends keyof ClientMessages>(type: T, payload: ClientMessages[T]) => store.send(taskId, type, payload),
    [store, taskId],
  );
  const clearServerError = useCallback(() => store.clearServerError(taskId), [store, taskId]);
  const reconnect = useCallback(() => store.reconnect(taskId), [store, taskId]);
  return {
    state: entry.state,
    connection: entry.connection,
    serverError: entry.serverError,
    role: entry.role,
    clearServerError,
    reconnect,
    send,
  };
}
