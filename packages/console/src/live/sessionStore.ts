import type { Frame } from '@codevf/protocol';
import {
  browserTransport,
  type ClientMessages,
  createLiveClient,
  type LiveClient,
  LiveClientError,
  liveSessionUrl,
} from '@codevf/protocol/client';
import type { SessionView } from '@codevf/protocol/shared';
import { api } from '../api/api';
import { ApiError, friendlyMessage } from '../api/apiError';
import { sessionExpired } from '../api/client';
import { type Connection, connectionOf } from './connection';
import { applyEvent, type EventLike, initialSessionState, readWelcomeRole, type WelcomeRole } from './sessionState';

type Client = LiveClient<Frame, LiveClientError, ClientMessages>;

/** One live session the engineer holds, as the pages read it. Replaced (never mutated) on each change. */
export interface SessionEntry {
  taskId: string;
  /** The task's description, for the session list (untrusted: render with UntrustedText). */
  description: string;
  state: SessionView;
  connection: Connection;
  /** Last server error that answered none of our messages (shown, then dismissed). */
  serverError: string | null;
  /** The role the server's welcome gave this socket; null until the first welcome (of this connection). */
  role: WelcomeRole | null;
  /** Customer messages that arrived while the engineer looked elsewhere. */
  unread: number;
}

/** What the store tells the workspace about, for desktop notifications and sound. */
export interface CustomerReply {
  taskId: string;
  description: string;
  text: string;
}

interface Slot {
  entry: SessionEntry;
  client: Client | null;
  /** Events are applied in arrival order, so the highest seq received is the resume point. */
  lastSeq: number;
  /** The task's last seq at the first welcome: what came before is history, not news. */
  historyUpTo: number | null;
}

/** Asked before each reconnect: a browser cannot see why an upgrade was refused, REST can. */
async function stillAllowed(taskId: string): Promise<boolean> {
  // Known gone (a 401 elsewhere): the answer would be the same.
  if (sessionExpired()) return false;
  try {
    await api.task(taskId);
    return true;
  } catch (err) {
    if (err instanceof ApiError && ['E_FORBIDDEN', 'E_NOT_FOUND', 'E_UNAUTHORIZED'].includes(err.code)) return false;
    return true;
  }
}

/**
 * The engineer's live sessions, held for the whole signed-in visit rather than by a page: moving
 * between the queue and the sessions never closes a socket, so the customer never sees the
 * engineer leave. A session's socket closes when the session ends (the server closes it), when
 * access is gone, or when the workspace stops (sign-out, closing the tab).
 */
export class SessionStore {
  private readonly slots = new Map<string, Slot>();
  private readonly listeners = new Set<() => void>();
  private snapshot: readonly SessionEntry[] = [];
  private viewed: string | null = null;

  constructor(private readonly onCustomerReply: (reply: CustomerReply) => void = () => {}) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Every held session, in the order they were opened. */
  getSnapshot = (): readonly SessionEntry[] => this.snapshot;

  get(taskId: string): SessionEntry | undefined {
    return this.slots.get(taskId)?.entry;
  }

  /** Connects to the task's live session unless it is already held; `description` labels it in the list. */
  open(taskId: string, description = ''): void {
    const held = this.slots.get(taskId);
    if (held) {
      if (description && !held.entry.description) this.update(held, { description });
      return;
    }
    const slot: Slot = {
      entry: {
        taskId,
        description,
        state: initialSessionState(),
        connection: { state: 'connecting', attempt: 0 },
        serverError: null,
        role: null,
        unread: 0,
      },
      client: null,
      lastSeq: 0,
      historyUpTo: null,
    };
    this.slots.set(taskId, slot);
    this.connect(slot);
    this.publish();
  }

  /** The session the engineer is looking at (null: none); its unread count is cleared. */
  view(taskId: string | null): void {
    this.viewed = taskId;
    const slot = taskId ? this.slots.get(taskId) : undefined;
    if (slot && slot.entry.unread > 0) this.update(slot, { unread: 0 });
  }

  /**
   * Closes the socket and opens a new one, resuming after the events the view has: the server
   * decides the role at each welcome, so this is how a guide who took over becomes the engineer.
   */
  reconnect(taskId: string): void {
    const slot = this.slots.get(taskId);
    if (!slot) return;
    slot.client?.close();
    this.update(slot, { role: null });
    this.connect(slot);
  }

  send<T extends keyof ClientMessages>(
    taskId: string,
    type: T,
    payload: ClientMessages[T],
  ): Promise<{ seq: number | null }> {
    const c = this.slots.get(taskId)?.client;
    if (!c) return Promise.reject(new Error('Not connected.'));
    return c.send(type, payload).acked.then((seq) => ({ seq }));
  }

  clearServerError(taskId: string): void {
    const slot = this.slots.get(taskId);
    if (slot?.entry.serverError) this.update(slot, { serverError: null });
  }

  /** Drops a session from the workspace (an ended one the engineer dismissed), closing its socket. */
  close(taskId: string): void {
    const slot = this.slots.get(taskId);
    if (!slot) return;
    slot.client?.close();
    this.slots.delete(taskId);
    this.publish();
  }

  /** Closes every socket (sign-out, or the workspace going away). */
  stop(): void {
    for (const slot of this.slots.values()) slot.client?.close();
    this.slots.clear();
    this.publish();
  }

  private connect(slot: Slot): void {
    const { taskId } = slot.entry;
    if (sessionExpired()) {
      // The user is being sent to sign in; the page holding this goes away with the session.
      slot.client = null;
      const reason = friendlyMessage('E_UNAUTHORIZED', undefined);
      this.update(slot, { connection: { state: 'failed', attempt: 0, reason } });
      return;
    }
    const client = createLiveClient<Frame, LiveClientError, ClientMessages>({
      url: liveSessionUrl(window.location.origin, taskId),
      transport: browserTransport(),
      lastSeq: slot.lastSeq,
      // The console keeps trying until the session ends, access is gone or the page closes.
      maxReconnectAttempts: Number.POSITIVE_INFINITY,
      createError: (code, message) => new LiveClientError(code, message),
      beforeReconnect: () => stillAllowed(taskId),
    });
    const mine = () => slot.client === client && this.slots.get(taskId) === slot;
    client.onState((s) => {
      if (mine()) this.update(slot, { connection: connectionOf(s) });
    });
    client.onFrame((f) => {
      if (!mine()) return;
      if (f.type === 'welcome') {
        const welcome = f.payload as { lastSeq?: unknown };
        if (slot.historyUpTo === null) slot.historyUpTo = typeof welcome.lastSeq === 'number' ? welcome.lastSeq : 0;
        this.update(slot, { role: readWelcomeRole(f.payload) });
      }
      if (f.seq === undefined) return;
      if (f.seq > slot.lastSeq) slot.lastSeq = f.seq;
      const state = applyEvent(slot.entry.state, f as EventLike);
      if (state === slot.entry.state) return;
      const news = f.type === 'customer_message' && slot.historyUpTo !== null && f.seq > slot.historyUpTo;
      const away = this.viewed !== taskId;
      this.update(slot, { state, unread: slot.entry.unread + (news && away ? 1 : 0) });
      if (news && (away || document.hidden)) {
        const text = (f.payload as { text?: unknown }).text;
        this.onCustomerReply({
          taskId,
          description: slot.entry.description,
          text: typeof text === 'string' ? text : '',
        });
      }
    });
    client.onServerError((e) => {
      if (mine()) this.update(slot, { serverError: e.message });
    });
    slot.client = client;
    client.start();
  }

  private update(slot: Slot, changes: Partial<SessionEntry>): void {
    slot.entry = { ...slot.entry, ...changes };
    this.publish();
  }

  private publish(): void {
    this.snapshot = [...this.slots.values()].map((s) => s.entry);
    for (const l of this.listeners) l();
  }
}
