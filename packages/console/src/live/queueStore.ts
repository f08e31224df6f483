import type { Task } from '@codevf/protocol';
import { api } from '../api/api';
import { type ApiError, asApiError } from '../api/apiError';
import { diffQueue } from './queueDiff';

/** Where the queue comes from (docs/PROTOCOL.md §2.2): a snapshot at once, then one per change. */
export const QUEUE_STREAM_PATH = '/v1/queue/stream';
/** How long to wait before opening a stream the server refused or dropped for good. */
const REOPEN_MS = 3_000;

export interface QueueState {
  /** Waiting tasks, next first; null until the first snapshot. */
  tasks: Task[] | null;
  /** `live`: snapshots arrive; `reconnecting`: the list may be out of date; `refused`: no access. */
  status: 'connecting' | 'live' | 'reconnecting' | 'refused';
  error: ApiError | null;
}

/**
 * The engineers' queue, pushed by the server (server-sent events) and held for the whole
 * signed-in visit: the queue page, the tab title and the new-task alert all read this one
 * stream. The browser's EventSource reconnects a dropped stream by itself; a refused one (the
 * role changed, the session ended) is asked about over REST, which says why.
 */
export class QueueStore {
  private state: QueueState = { tasks: null, status: 'connecting', error: null };
  private readonly listeners = new Set<() => void>();
  private source: EventSource | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  /** `onNewTasks` hears of tasks that joined the queue after the first snapshot. */
  constructor(private readonly onNewTasks: (tasks: Task[]) => void = () => {}) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): QueueState => this.state;

  start(): void {
    // The same listener again is a no-op: start() also reopens the stream.
    document.addEventListener('visibilitychange', this.onVisible);
    this.stopped = false;
    if (this.source) return;
    const source = new EventSource(QUEUE_STREAM_PATH);
    this.source = source;
    source.addEventListener('queue', (e) => {
      const tasks = readTasks((e as MessageEvent).data);
      if (!tasks) return;
      const prev = this.state.tasks;
      this.set({ tasks, status: 'live', error: null });
      if (prev) {
        const { added } = diffQueue(prev, tasks);
        if (added.length > 0) this.onNewTasks(added);
      }
    });
    source.addEventListener('end', () => {
      // The server ended the stream on purpose (access changed): ask REST why, then stop or retry.
      this.drop();
      void this.diagnose();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        this.drop();
        void this.diagnose();
      } else if (this.state.status === 'live') this.set({ ...this.state, status: 'reconnecting' });
    };
  }

  stop(): void {
    document.removeEventListener('visibilitychange', this.onVisible);
    this.stopped = true;
    this.drop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Removes a task at once (the engineer claimed it); the next snapshot confirms. */
  forget(taskId: string): void {
    if (!this.state.tasks) return;
    this.set({ ...this.state, tasks: this.state.tasks.filter((t) => t.id !== taskId) });
  }

  /** Opens the stream again now (the retry button). */
  retry(): void {
    this.drop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.set({ ...this.state, status: 'connecting', error: null });
    this.start();
  }

  /**
   * A user coming back to the tab is told at once whether the server is reachable and the
   * session still valid (a hidden tab's stream may have been dropped quietly); the list itself
   * keeps coming from the stream.
   */
  private readonly onVisible = (): void => {
    if (!document.hidden) void this.check();
  };

  private async check(): Promise<void> {
    try {
      await api.queue();
      if (this.state.error && this.state.status !== 'refused') {
        const open = this.source !== null && this.source.readyState === EventSource.OPEN;
        this.set({ ...this.state, status: open && this.state.tasks ? 'live' : this.state.status, error: null });
      }
    } catch (err) {
      const error = asApiError(err, 'Could not load the queue.');
      const refused = error.code === 'E_FORBIDDEN' || error.code === 'E_UNAUTHORIZED';
      if (refused) this.drop();
      this.set({ ...this.state, status: refused ? 'refused' : 'reconnecting', error });
    }
  }

  private drop(): void {
    this.source?.close();
    this.source = null;
  }

  private async diagnose(): Promise<void> {
    try {
      await api.queue();
      // Allowed after all (a restart, a network blip): open the stream again shortly.
      this.set({ ...this.state, status: 'reconnecting' });
    } catch (err) {
      const error = asApiError(err, 'Could not load the queue.');
      const refused = error.code === 'E_FORBIDDEN' || error.code === 'E_UNAUTHORIZED';
      this.set({ ...this.state, status: refused ? 'refused' : 'reconnecting', error });
      if (refused) return;
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.start();
    }, REOPEN_MS);
  }

  private set(next: QueueState): void {
    this.state = next;
    for (const l of this.listeners) l();
  }
}

/** The tasks of a `queue` event; null for anything else (the console reads server data defensively). */
export function readTasks(data: unknown): Task[] | null {
  if (typeof data !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(data);
    const tasks = (parsed as { tasks?: unknown })?.tasks;
    return Array.isArray(tasks) ? (tasks.filter((t) => t && typeof t.id === 'string') as Task[]) : null;
  } catch {
    return null;
  }
}
