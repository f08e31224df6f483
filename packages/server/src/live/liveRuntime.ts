import { billConnectedTask } from '../billing/billing';
import type { AppContext } from '../context';
import { expireDueRequests } from '../tasks/expiry';
import type { StoredEvent } from '../tasks/taskLock';
import type { LiveConnection } from './liveConnection';
import { TaskFeed } from './taskFeed';

/** Real-time intervals of the background jobs. Tests call `tick()` instead of waiting for them. */
const EXPIRY_SWEEP_MS = 1_000;
const BILLING_TICK_MS = 5_000;
const RESYNC_MS = 5_000;

/**
 * Per-instance state of live sessions: the sockets this instance holds, one feed per task they
 * watch, and the background jobs (request expiry, billing, heartbeats, resync). Nothing here
 * is needed by another instance — all shared state is in the database.
 */
export class LiveRuntime {
  readonly feeds = new Map<string, TaskFeed>();
  readonly connections = new Set<LiveConnection>();
  /** Writes started outside a request (disconnect events, publishes) that close must wait for. */
  private readonly pending = new Set<Promise<unknown>>();
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;

  constructor(readonly ctx: AppContext) {}

  /** Heartbeat: a peer silent for this long is dropped; pings go out three times as often. */
  get heartbeatMs(): number {
    return Math.max(50, this.ctx.config.heartbeatSeconds * 1000);
  }

  /** Called after a commit: local sockets get the events at once, other instances via the bus. */
  publish(taskId: string, events: readonly StoredEvent[]): void {
    const last = events[events.length - 1];
    if (!last) return;
    this.feeds.get(taskId)?.ingest(events);
    this.track(
      this.ctx.bus.publish(taskId, last.seq).catch((err: unknown) => {
        // The event is committed; other instances catch up at their next resync.
        this.ctx.log.warn({ err, taskId }, 'bus publish failed');
      }),
    );
  }

  /** The feed of a task, created (and subscribed to the bus) on first use. */
  async acquireFeed(taskId: string, listener: LiveConnection): Promise<TaskFeed> {
    let feed = this.feeds.get(taskId);
    if (!feed) {
      feed = new TaskFeed(taskId, this.ctx.storage.db);
      const f = feed;
      feed.unsubscribe = this.ctx.bus.subscribe(taskId, (seq) => f.notify(seq));
      this.feeds.set(taskId, feed);
    }
    feed.listeners.add(listener);
    // Only once the subscription is live may the caller read the head: then no event can fall
    // between what it reads and what the bus reports.
    await this.ctx.bus.subscribed(taskId);
    return feed;
  }

  releaseFeed(feed: TaskFeed, listener: LiveConnection): void {
    feed.listeners.delete(listener);
    if (feed.listeners.size === 0 && this.feeds.get(feed.taskId) === feed) {
      feed.unsubscribe();
      this.feeds.delete(feed.taskId);
    }
  }

  /** Keeps a background promise so that stop() can wait for it. */
  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    const done = () => this.pending.delete(p);
    p.then(done, done);
    return p;
  }

  /** Local engineer sockets by task, with when the earliest of them said hello. */
  engineerPresence(): Map<string, Date> {
    const out = new Map<string, Date>();
    for (const c of this.connections) {
      if (c.role !== 'engineer' || !c.welcomedAt || c.isClosed) continue;
      const prev = out.get(c.taskId);
      if (!prev || c.welcomedAt < prev) out.set(c.taskId, c.welcomedAt);
    }
    return out;
  }

  /** Charges every minute an engineer connected here has been in an active session. */
  async billingTick(): Promise<void> {
    for (const [taskId, since] of this.engineerPresence()) {
      try {
        const changes = await billConnectedTask(this.ctx, taskId, since);
        for (const c of changes) this.publish(taskId, c.events);
      } catch (err) {
        this.ctx.log.error({ err, taskId }, 'billing tick failed');
      }
    }
  }

  async expireRequests(): Promise<number> {
    let n = 0;
    for (const change of await expireDueRequests(this.ctx)) {
      this.publish(change.task.id, change.events);
      n += change.events.length;
    }
    return n;
  }

  /** Re-reads the head of every watched task: the safety net for lost bus messages. */
  async resync(): Promise<void> {
    const ids = [...this.feeds.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.ctx.storage.db
        .selectFrom('tasks')
        .select(['id', 'last_seq'])
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        const feed = this.feeds.get(r.id);
        if (feed && Number(r.last_seq) !== feed.latest) feed.resync(Number(r.last_seq));
      }
    }
  }

  /** Drops peers silent for a heartbeat period; pings the others. */
  heartbeat(): void {
    const now = performance.now();
    for (const c of this.connections) c.heartbeat(now, this.heartbeatMs);
  }

  /** One deterministic round of every background job (tests drive time with a FakeClock). */
  async tick(): Promise<void> {
    await this.expireRequests();
    await this.billingTick();
    await this.resync();
  }

  start(): void {
    if (this.timers.length > 0) return;
    const every = (ms: number, job: () => Promise<void> | void, name: string) => {
      let running = false;
      const t = setInterval(() => {
        if (running || this.stopping) return;
        running = true;
        Promise.resolve()
          .then(job)
          .catch((err: unknown) => this.ctx.log.error({ err }, `${name} failed`))
          .finally(() => {
            running = false;
          });
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(EXPIRY_SWEEP_MS, () => this.expireRequests().then(() => {}), 'request expiry');
    every(BILLING_TICK_MS, () => this.billingTick(), 'billing');
    every(RESYNC_MS, () => this.resync(), 'resync');
    every(Math.max(20, Math.floor(this.heartbeatMs / 3)), () => this.heartbeat(), 'heartbeat');
  }

  /** Stops the jobs, closes this instance's sockets (recording engineer departures), drains writes. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const c of [...this.connections]) c.shutdown(1001, 'server shutting down');
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

const runtimes = new WeakMap<AppContext, LiveRuntime>();

/** The live runtime of a server (one per AppContext). */
export function liveRuntime(ctx: AppContext): LiveRuntime {
  let rt = runtimes.get(ctx);
  if (!rt) {
    rt = new LiveRuntime(ctx);
    runtimes.set(ctx, rt);
  }
  return rt;
}

/** Hands committed events to local sockets and other instances. */
export function publishEvents(ctx: AppContext, taskId: string, events: readonly StoredEvent[]): void {
  liveRuntime(ctx).publish(taskId, events);
}
