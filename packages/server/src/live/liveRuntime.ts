import { CLOSE_CODES } from '@codevf/protocol/shared';
import { AiDriver } from '../ai/aiDriver';
import { isPresenceType } from '../billing/presenceMarks';
import type { AppContext, EventPublisher } from '../context';
import { every } from '../periodic';
import type { StoredEvent } from '../tasks/eventLog';
import { expireDueRequests } from '../tasks/expiry';
import { sweepAbsentCustomers } from './absenceSweep';
import { lostAccess } from './accessCheck';
import { AgentPresence, sweepAgentPresence } from './agentPresence';
import { BillingJob } from './billingJob';
import { EventWaits } from './eventWaits';
import { Heartbeat } from './heartbeat';
import type { LivePeer } from './livePeer';
import { ParticipantPresence, refreshPresence } from './participantPresence';
import { TaskFeeds } from './taskFeeds';
import { UserSocketCounts } from './userSockets';
import { yieldToIo } from './yieldToIo';

/** Real-time intervals of the background jobs. Tests call `tick()` instead of waiting for them. */
const EXPIRY_SWEEP_MS = 1_000;
/** Often, so that the minute charges of many sessions come a few at a time, not in one burst. */
const BILLING_TICK_MS = 1_000;
const RESYNC_MS = 5_000;
/**
 * The safety net of access changes: an announcement lost on the bus, and console sessions
 * reaching their expiry, close their sockets by the next sweep. Announced changes close at once.
 */
const ACCESS_SWEEP_MS = 5_000;
/** Sockets whose access one query checks. */
const ACCESS_CHUNK = 200;
/** Well inside PRESENCE_STALE_MS (instanceHeartbeat.ts), so a live instance never looks dead. */
const PRESENCE_REFRESH_MS = 5_000;
/** Tasks no instance holds a socket of are checked for an absent customer this often. */
const ABSENCE_SWEEP_MS = 10_000;
/** Agents that stopped calling are recorded as gone within this of their presence window's end. */
const AGENT_SWEEP_MS = 5_000;

/**
 * Per-instance state of live sessions: the sockets this instance holds (with their heartbeat
 * and who is present through them), one feed per task they watch, and the background jobs
 * (request expiry, billing, resync). It is the app's event publisher. Nothing here is needed
 * by another instance — all shared state is in the database.
 */
export class LiveRuntime implements EventPublisher {
  readonly feeds: TaskFeeds;
  readonly heartbeat: Heartbeat<LivePeer>;
  readonly presence = new ParticipantPresence();
  /** Agent-driven tasks whose customer's agent called this instance lately. */
  readonly agents = new AgentPresence();
  /** Long-polls of `GET /v1/tasks/:id/events?wait=` held by this instance. */
  readonly waits: EventWaits;
  /** Drives the AI of the AI-led tasks whose lease this instance holds. */
  readonly ai: AiDriver;
  private readonly billing: BillingJob;
  /** This instance's sockets by user: access changes and the per-user cap look them up. */
  private readonly byUser = new Map<string, Set<LivePeer>>();
  /** The same counts, stored for the other instances' per-user cap. */
  private readonly userSockets: UserSocketCounts;
  private readonly unsubscribeAccess: () => void;
  /** Writes started outside a request (disconnect events, publishes) that stop() must wait for. */
  private inFlight = 0;
  /** Settles when `inFlight` next reaches zero; made only while someone waits (stop()). */
  private idle: { promise: Promise<void>; resolve: () => void } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private started = false;
  private stopping = false;

  /** The app's context, completed with this runtime as its event publisher. */
  readonly ctx: AppContext;

  constructor(parts: Omit<AppContext, 'events'>) {
    const ctx: AppContext = { ...parts, events: this };
    this.ctx = ctx;
    this.feeds = new TaskFeeds(ctx);
    this.waits = new EventWaits(ctx);
    this.billing = new BillingJob(ctx);
    this.ai = new AiDriver(ctx, this.presence.instanceId);
    this.userSockets = new UserSocketCounts(
      ctx,
      this.presence.instanceId,
      (id) => this.socketsOf(id),
      (p) => {
        this.track(p);
      },
    );
    this.heartbeat = new Heartbeat(ctx.config.heartbeatSeconds, (err) => ctx.log.error({ err }, 'heartbeat failed'));
    this.unsubscribeAccess = ctx.bus.subscribeAccessChanges((userId) => {
      const mine = this.byUser.get(userId);
      if (mine) this.track(this.closeLostAccess([...mine]));
    });
  }

  /** After a commit: local sockets get the events at once, other instances via the bus. */
  publish(taskId: string, events: readonly StoredEvent[]): void {
    const last = events[events.length - 1];
    if (!last) return;
    this.feeds.ingest(taskId, events);
    if (events.some((e) => isPresenceType(e.type) || e.type === 'task_status')) this.billing.invalidate(taskId);
    this.ai.notice(taskId, events);
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
  attach(c: LivePeer): void {
    this.heartbeat.add(c);
    let mine = this.byUser.get(c.user.id);
    if (!mine) {
      mine = new Set();
      this.byUser.set(c.user.id, mine);
    }
    mine.add(c);
    this.userSockets.changed(c.user.id);
  }

  detach(c: LivePeer): void {
    this.heartbeat.delete(c);
    const mine = this.byUser.get(c.user.id);
    if (!mine?.delete(c)) return;
    if (mine.size === 0) this.byUser.delete(c.user.id);
    this.userSockets.changed(c.user.id);
  }

  /** Open sockets of `userId` on this instance. */
  socketsOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  /** Open sockets of `userId` on every live instance (as far as the others have stored theirs). */
  async socketsEverywhere(userId: string): Promise<number> {
    return this.socketsOf(userId) + (await this.userSockets.elsewhere(userId));
  }

  /** Closes those of `conns` whose access is gone (accessCheck.ts), with 4001 or 4003. */
  private async closeLostAccess(conns: readonly LivePeer[]): Promise<void> {
    try {
      const lost = await lostAccess(this.ctx.storage.db, this.ctx.clock.now(), conns);
      for (const [c, { code, reason }] of lost) {
        if (c.isClosed) continue;
        this.ctx.log.info({ userId: c.user.id, taskId: c.taskId, code }, 'live socket closed: access lost');
        c.shutdown(code, reason);
      }
    } catch (err) {
      this.ctx.log.warn({ err }, 'access check of live sockets failed');
    }
  }

  /** Re-checks the access of every socket on this instance, a chunk per query. */
  async sweepAccess(): Promise<void> {
    const all = [...this.heartbeat.peers];
    for (let i = 0; i < all.length; i += ACCESS_CHUNK) {
      if (i > 0) await yieldToIo();
      await this.closeLostAccess(all.slice(i, i + ACCESS_CHUNK));
    }
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
    const agentTasks = this.agents.tasks(this.ctx.clock.now().getTime(), this.ctx.config);
    if (agentTasks.length === 0) return this.billing.tick(this.presence.tasks());
    return this.billing.tick(new Set([...this.presence.tasks(), ...agentTasks]));
  }

  /** Records the departure of agent-driven customers whose agent stopped calling. */
  sweepAgentPresence(): Promise<number> {
    return sweepAgentPresence(this.ctx, this.presence.instanceId);
  }

  /** Keeps this instance's presence rows alive and true, and retires those of dead instances. */
  refreshPresence(): Promise<void> {
    return refreshPresence(this.ctx, this.presence);
  }

  /** Ends the tasks, watched by no instance, whose customer stayed away too long. */
  sweepAbsentCustomers(): Promise<number> {
    return sweepAbsentCustomers(this.ctx, this.presence);
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
    await this.sweepAgentPresence();
    await this.billingTick();
    await this.sweepAbsentCustomers();
    await this.resync();
    await this.sweepAccess();
    await this.ai.tick();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const repeat = (ms: number, job: () => Promise<unknown>, name: string) =>
      this.timers.push(every(ms, job, name, { log: this.ctx.log, stopped: () => this.stopping }));
    repeat(EXPIRY_SWEEP_MS, () => this.expireRequests().then(() => {}), 'request expiry');
    repeat(BILLING_TICK_MS, () => this.billingTick(), 'billing');
    repeat(RESYNC_MS, () => this.resync(), 'resync');
    repeat(ACCESS_SWEEP_MS, () => this.sweepAccess(), 'access sweep');
    repeat(PRESENCE_REFRESH_MS, () => this.refreshPresence(), 'presence refresh');
    // The heartbeat at once, and the rows a previous run of this server left retired at once.
    this.track(this.refreshPresence().catch((err: unknown) => this.ctx.log.error({ err }, 'presence refresh failed')));
    repeat(ABSENCE_SWEEP_MS, () => this.sweepAbsentCustomers().then(() => {}), 'absent-customer sweep');
    repeat(AGENT_SWEEP_MS, () => this.sweepAgentPresence().then(() => {}), 'agent presence sweep');
    this.heartbeat.start();
    this.ai.start();
  }

  /** Stops the AI and the jobs, closes this instance's sockets (recording departures), drains writes. */
  async stop(): Promise<void> {
    this.stopping = true;
    // First, while sockets are open: the AI's last writes reach them, and its leases are given
    // up for another instance to resume at once.
    await this.ai.stop();
    this.unsubscribeAccess();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.heartbeat.stop();
    this.waits.abortAll();
    for (const c of [...this.heartbeat.peers]) c.shutdown(CLOSE_CODES.goingAway, 'server shutting down');
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
