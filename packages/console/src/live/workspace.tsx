import { createContext, type ReactNode, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { api } from '../api/api';
import { useAuth } from '../auth/AuthProvider';
import { setTitleBadge, workspaceBadge } from '../lib/documentTitle';
import { type AlertPrefs, alert, loadAlertPrefs, saveAlertPrefs } from './alerts';
import { type QueueState, QueueStore } from './queueStore';
import { type SessionEntry, SessionStore } from './sessionStore';

interface Workspace {
  queue: QueueStore;
  sessions: SessionStore;
  prefs: AlertPrefs;
  setPrefs(prefs: AlertPrefs): void;
}

const WorkspaceContext = createContext<Workspace | null>(null);

/**
 * The engineer's workspace, above the pages: the queue stream and every live session the
 * engineer holds stay open while they move between pages, the tab title counts waiting tasks
 * and unread customer messages, and the alerts they opted in to fire. Only for a signed-in
 * engineer; for everyone else it renders its children alone.
 */
export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const engineerId = user?.role === 'engineer' ? user.id : null;
  return engineerId ? (
    // Keyed by the engineer: another sign-in starts from nothing.
    <EngineerWorkspace key={engineerId}>{children}</EngineerWorkspace>
  ) : (
    children
  );
}

export function EngineerWorkspace({ children }: { children: ReactNode }) {
  const [prefs, setPrefsState] = useState(loadAlertPrefs);
  const prefsRef = useRef(prefs);
  prefsRef.current = prefs;
  const [workspace] = useState(() => {
    const queue = new QueueStore((tasks) => {
      for (const t of tasks) alert(prefsRef.current, 'New task in the queue', t.description, `task-${t.id}`);
    });
    const sessions = new SessionStore((reply) =>
      alert(
        prefsRef.current,
        `Customer replied: ${reply.description.slice(0, 60) || 'a session'}`,
        reply.text,
        `reply-${reply.taskId}`,
      ),
    );
    return { queue, sessions };
  });

  useEffect(() => {
    const { queue, sessions } = workspace;
    queue.start();
    // The sessions the engineer already holds (a reload, a second sign-in) are held again at once,
    // unless the workspace stopped meanwhile (the session expired, the user signed out): a list
    // answered late must not open sockets nothing would ever close.
    const listing = new AbortController();
    api
      .tasks(listing.signal)
      .then((tasks) => {
        if (listing.signal.aborted) return;
        for (const t of tasks) if (t.status === 'active') sessions.open(t.id, t.description);
      })
      .catch(() => {
        // Each session page opens its own session anyway; the list fills in as they are visited.
      });
    return () => {
      listing.abort();
      queue.stop();
      sessions.stop();
    };
  }, [workspace]);

  const queueState = useSyncExternalStore(workspace.queue.subscribe, workspace.queue.getSnapshot);
  const entries = useSyncExternalStore(workspace.sessions.subscribe, workspace.sessions.getSnapshot);
  const waiting = queueState.tasks?.length ?? 0;
  const unread = entries.reduce((n, e) => n + e.unread, 0);
  useEffect(() => {
    setTitleBadge(workspaceBadge(waiting, unread));
  }, [waiting, unread]);
  useEffect(() => () => setTitleBadge(''), []);

  const value: Workspace = {
    ...workspace,
    prefs,
    setPrefs(next) {
      saveAlertPrefs(next);
      setPrefsState(next);
    },
  };
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): Workspace | null {
  return useContext(WorkspaceContext);
}

/** The workspace's session store, or null outside an engineer's workspace. */
export function useWorkspaceSessions(): SessionStore | null {
  return useContext(WorkspaceContext)?.sessions ?? null;
}

const NO_SESSIONS: readonly SessionEntry[] = [];
const noop = () => () => {};

/** Every live session the engineer holds (empty outside a workspace). */
export function useHeldSessions(): readonly SessionEntry[] {
  const sessions = useWorkspaceSessions();
  return useSyncExternalStore(
    sessions?.subscribe ?? noop,
    sessions?.getSnapshot ?? (() => NO_SESSIONS),
    () => NO_SESSIONS,
  );
}

const NO_QUEUE: QueueState = { tasks: null, status: 'connecting', error: null };

/** The pushed queue (never filled outside a workspace). */
export function useQueue(): QueueState {
  const queue = useContext(WorkspaceContext)?.queue;
  return useSyncExternalStore(queue?.subscribe ?? noop, queue?.getSnapshot ?? (() => NO_QUEUE), () => NO_QUEUE);
}
