import { isPresenceType } from '../billing/presenceMarks';
import type { AppContext, EventPublisher } from '../context';
import type { StoredEvent } from '../tasks/eventLog';
import { expireDueRequests } from '../tasks/expiry';
import { BillingJob } from './billingJob';
import { Heartbeat } from './heartbeat';
import type { LiveConnection } from './liveConnection';
import { ParticipantPresence, refreshPresence } from './participantPresence';
import { TaskFeeds } from './taskFeeds';

/** Real-time intervals of the background jobs. Tests call `tick()` instead of waiting for them. */
const EXPIRY_SWEEP_MS = 1_000;
/** Often, so that the minute charges of many sessions come a few at a time, not in one burst. */
const BILLING_TICK_MS = 1_000;
const RESYNC_MS = 5_000;
/** Well inside PRESENCE_STALE_MS, so a live instance's presence rows never look dead. */
const PRESENCE_REFRESH_MS = 5_000;

/**
 * Per-instance state of live sessions: the sockets this instance holds (with their heartbeat
 * and who is present through them), one feed per task they watch, and the background jobs
 * (request expiry, billing, resync). It is the app's event publisher. Nothing here is needed
 * by another instance — all shared state is in the database.
 */
export class LiveRuntime implements EventPublisher {
  readonly feeds: TaskFeeds;
  readonly heartbeat: Heartbeat<LiveConnection>;
  readonly presence = new ParticipantPresence();
  private readonly billing: BillingJob;
  /** Writes started outside a request (disconnect events, publishes) that stop() must wait for. */
  private inFlight = 0;
  /** Settles when `inFlight` next reaches zero; made only while someone waits (stop()). */
  private idle: { promise: Promise<void>; resolve: () => void } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private started = false;
  private stopping = false;

  constructor(readonly ctx: AppContext) {
    this.feeds = new TaskFeeds(ctx);
    this.billing = new BillingJob(ctx);
    this.heartbeat = new Heartbeat(ctx.config.heartbeatSeconds, (err) => ctx.log.error({ err }, 'heartbeat failed'));
  }

  /** After a commit: local sockets get the events at once, other instances via the bus. */
  publish(taskId: string, events: readonly StoredEvent[]): void {
    const last = events[events.length - 1];
    if (!last) return;
    this.feeds.ingest(taskId, events);
    if (events.some((e) => isPresenceType(e.type) || e.type === 'task_status')) this.billing.invalidate(taskId);
    const sent = this.ctx.bus.publish(taskId, last.seq);
    if (sent)
      this.track(
        sent.catch((err: unknown) => {
          // The event is committed; other instances catch up at their next resync.
          this.ctx.log.warn({ err, taskId }, 'bus publish failed');
        }),
      );
  }

  /** A socket joined this instance (the heartbeat watches it from now on). */
  attach(c: LiveConnection): void {
    this.heartbeat.add(c);
  }

  detach(c: LiveConnection): void {
    this.heartbeat.delete(c);
  }

  /**
   * Counts a background promise until it settles, so that stop() can wait for it. A count,
   * not a Set of the promises: with two per relayed message, a Set's table was rebuilt as it
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

  billingTick(): Promise<void> {
    return this.billing.tick(this.presence.tasks());
  }

  /** Keeps this instance's presence rows alive and retires those of dead instances. */
  refreshPresence(): Promise<void> {
    return refreshPresence(this.ctx, this.presence.instanceId);
  }

  expireRequests(): Promise<number> {
    return expireDueRequests(this.ctx);
  }

  resync(): Promise<void> {
    return this.feeds.resync();
  }

  /** One deterministic round of every background job (tests drive time with a FakeClock). */
  async tick(): Promise<void> {
    await this.expireRequests();
    await this.refreshPresence();
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
    every(PRESENCE_REFRESH_MS, () => this.refreshPresence(), 'presence refresh');
    this.heartbeat.start();
  }

  /** Stops the jobs, closes this instance's sockets (recording departures), drains writes. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.heartbeat.stop();
    for (const c of [...this.heartbeat.peers]) c.shutdown(1001, 'server shutting down');
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

/** The live runtime serving `ctx`: buildApp makes it the context's event publisher. */
export function liveRuntime(ctx: AppContext): LiveRuntime {
  if (ctx.events instanceof LiveRuntime) return ctx.events;
  throw new Error('This context was not built by buildApp: it has no live runtime.');
}
