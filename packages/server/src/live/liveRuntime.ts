import { billConnectedTask, minuteIndex } from '../billing/billing';
import type { AppContext, EventPublisher } from '../context';
import type { StoredEvent } from '../tasks/eventLog';
import { expireDueRequests } from '../tasks/expiry';
import type { LiveConnection } from './liveConnection';
import { TaskFeed } from './taskFeed';

/** Real-time intervals of the background jobs. Tests call `tick()` instead of waiting for them. */
const EXPIRY_SWEEP_MS = 1_000;
/** Often, so that the minute charges of many sessions come a few at a time, not in one burst. */
const BILLING_TICK_MS = 1_000;
const RESYNC_MS = 5_000;
/** Task heads re-read per query by the resync. */
const RESYNC_CHUNK = 100;
/** The heartbeat checks a share of the sockets this often, so pings go out evenly, never in one burst. */
const HEARTBEAT_STEP_MS = 50;

/**
 * Per-instance state of live sessions: the sockets this instance holds, one feed per task they
 * watch, and the background jobs (request expiry, billing, heartbeats, resync). Nothing here
 * is needed by another instance — all shared state is in the database.
 */
export class LiveRuntime implements EventPublisher {
  readonly feeds = new Map<string, TaskFeed>();
  readonly connections = new Set<LiveConnection>();
  /** Writes started outside a request (disconnect events, publishes) that close must wait for. */
  private inFlight = 0;
  /** Settles when `inFlight` next reaches zero; made only while someone waits (stop()). */
  private idle: { promise: Promise<void>; resolve: () => void } | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** The heartbeat's step timer: armed only while this instance holds sockets. */
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private started = false;
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
    const sent = this.ctx.bus.publish(taskId, last.seq);
    if (sent)
      this.track(
        sent.catch((err: unknown) => {
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

  /** A socket joined this instance: the heartbeat runs from now on if it was idle. */
  attach(c: LiveConnection): void {
    this.connections.add(c);
    this.armHeartbeat();
  }

  /** A socket left; with none left the heartbeat stops (an idle server is not woken 20×/s). */
  detach(c: LiveConnection): void {
    this.connections.delete(c);
    if (this.connections.size === 0) this.disarmHeartbeat();
  }

  /** Whether the heartbeat's step timer is running. */
  get heartbeatArmed(): boolean {
    return this.heartbeatTimer !== null;
  }

  private armHeartbeat(): void {
    if (!this.started || this.stopping || this.heartbeatTimer || this.connections.size === 0) return;
    this.heartbeatTimer = setInterval(() => {
      try {
        this.heartbeatStep();
      } catch (err) {
        this.ctx.log.error({ err }, 'heartbeat failed');
      }
    }, this.heartbeatStepMs);
    this.heartbeatTimer.unref();
  }

  private disarmHeartbeat(): void {
    if (!this.heartbeatTimer) return;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    // The next socket starts a fresh round.
    this.roundStep = Number.POSITIVE_INFINITY;
    this.round = [];
  }

  /**
   * Counts a background promise until it settles, so that stop() can wait for it. A count,
   * not a Set of the promises: with two per relayed message, the Set's table was rebuilt as it
   * grew and shrank, and each rebuilt table outlived a young-generation GC.
   */
  track<T>(p: Promise<T>): Promise<T> {
    this.inFlight++;
    p.then(this.untrack, this.untrack);
    return p;
  }

  private readonly untrack = (): void => {
    if (--this.inFlight > 0 || !this.idle) return;
    this.idle.resolve();
    this.idle = null;
  };

  /** Engineer sockets on this instance that said hello, by task: presence, for billing. */
  private readonly engineers = new Map<string, Set<LiveConnection>>();

  /** Records an engineer's socket after hello; true when it is the first one here for the task. */
  engineerArrived(c: LiveConnection): boolean {
    const set = this.engineers.get(c.taskId) ?? new Set();
    this.engineers.set(c.taskId, set);
    set.add(c);
    return set.size === 1;
  }

  /** Forgets an engineer's socket; true when it was the last one here for the task. */
  engineerLeft(c: LiveConnection): boolean {
    const set = this.engineers.get(c.taskId);
    if (!set?.delete(c)) return false;
    if (set.size > 0) return false;
    this.engineers.delete(c.taskId);
    return true;
  }

  /** Tasks with an engineer connected here, with when the earliest of those sockets said hello. */
  engineerPresence(): Map<string, Date> {
    const out = new Map<string, Date>();
    for (const [taskId, set] of this.engineers) {
      let since: Date | undefined;
      for (const c of set) if (c.welcomedAt && (!since || c.welcomedAt < since)) since = c.welcomedAt;
      if (since) out.set(taskId, since);
    }
    return out;
  }

  /** Per task: the minutes this instance has seen settled, so most ticks need no query. */
  private readonly settled = new Map<string, { claimedAt: string | null; through: number }>();

  /** Charges every minute an engineer connected here has been in an active session. */
  async billingTick(): Promise<void> {
    const presence = this.engineerPresence();
    for (const taskId of this.settled.keys()) if (!presence.has(taskId)) this.settled.delete(taskId);
    const now = this.ctx.clock.now();
    for (const [taskId, since] of presence) {
      const known = this.settled.get(taskId);
      if (known && (!known.claimedAt || minuteIndex(known.claimedAt, now) <= known.through)) continue;
      // Let waiting socket I/O in between charges: a minute boundary shared by a thousand
      // sessions must not hold up their messages for the whole round.
      await yieldToIo();
      try {
        const pass = await billConnectedTask(this.ctx, taskId, since);
        this.settled.set(taskId, { claimedAt: pass.claimedAt, through: pass.through });
      } catch (err) {
        this.ctx.log.error({ err, taskId }, 'billing tick failed');
      }
    }
  }

  expireRequests(): Promise<number> {
    return expireDueRequests(this.ctx);
  }

  /** Re-reads the head of every watched task: the safety net for lost bus messages. */
  async resync(): Promise<void> {
    const ids = [...this.feeds.keys()];
    for (let i = 0; i < ids.length; i += RESYNC_CHUNK) {
      // Socket I/O in between: one query for every watched task would stall live messages.
      if (i > 0) await yieldToIo();
      const rows = await this.ctx.storage.db
        .selectFrom('tasks')
        .select(['id', 'last_seq'])
        .where('id', 'in', ids.slice(i, i + RESYNC_CHUNK))
        .execute();
      for (const r of rows) {
        const feed = this.feeds.get(r.id);
        if (feed && Number(r.last_seq) !== feed.latest) feed.resync(Number(r.last_seq));
      }
    }
  }

  /** Sockets of the heartbeat round in progress, and the round's next step. */
  private round: LiveConnection[] = [];
  private roundStep = Number.POSITIVE_INFINITY;

  /** How often each socket is checked (and pinged if it has been quiet). */
  get pingEveryMs(): number {
    return Math.max(20, Math.floor(this.heartbeatMs / 3));
  }

  /** The heartbeat's step: every HEARTBEAT_STEP_MS, or four steps per period when that is shorter. */
  get heartbeatStepMs(): number {
    return Math.min(HEARTBEAT_STEP_MS, this.pingEveryMs / 4);
  }

  /** Steps in one ping period. */
  get heartbeatSteps(): number {
    return Math.round(this.pingEveryMs / this.heartbeatStepMs);
  }

  /**
   * One step of the heartbeat round: a round is `heartbeatSteps` steps over one ping period,
   * each checking its share of the sockets, so every socket is checked once per period and the
   * pings are spread over it. A burst of thousands of pings (and the pongs they bring back)
   * would hold up every live message for tens of milliseconds.
   */
  heartbeatStep(): void {
    const steps = this.heartbeatSteps;
    if (this.roundStep >= steps) {
      this.round = [...this.connections];
      this.roundStep = 0;
    }
    const share = (k: number) => Math.floor((k * this.round.length) / steps);
    const from = share(this.roundStep);
    const to = share(++this.roundStep);
    const now = performance.now();
    for (let i = from; i < to; i++) this.round[i]?.heartbeat(now, this.heartbeatMs, this.pingEveryMs / 2);
  }

  /** One deterministic round of every background job (tests drive time with a FakeClock). */
  async tick(): Promise<void> {
    await this.expireRequests();
    await this.billingTick();
    await this.resync();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const every = (ms: number, job: () => Promise<void>, name: string) => {
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
    // Sockets that came before the start (none in practice) get their heartbeat now.
    this.armHeartbeat();
  }

  /** Stops the jobs, closes this instance's sockets (recording engineer departures), drains writes. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.disarmHeartbeat();
    for (const c of [...this.connections]) c.shutdown(1001, 'server shutting down');
    while (this.inFlight > 0) {
      if (!this.idle) {
        let resolve = () => {};
        const promise = new Promise<void>((r) => {
          resolve = r;
        });
        this.idle = { promise, resolve };
      }
      await this.idle.promise;
    }
  }
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The live runtime serving `ctx`: buildApp makes it the context's event publisher. */
export function liveRuntime(ctx: AppContext): LiveRuntime {
  if (ctx.events instanceof LiveRuntime) return ctx.events;
  throw new Error('This context was not built by buildApp: it has no live runtime.');
}
