import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema';
import { eventsAfter, type StoredEvent } from '../tasks/eventLog';
import { wireOf } from './wireFrame';

/** An event's frame as sockets send it (see wireOf), UTF-8. */
const frameOf = (ev: StoredEvent): Buffer => Buffer.from(wireOf(ev));

/** Events kept per task for listeners that have fallen behind; beyond this they read the database. */
const CACHE_LIMIT = 512;
const PAGE = 500;

export interface FeedListener {
  /** Whose socket this is: events they sent themselves go to the others first. */
  readonly user: { id: string };
  /**
   * Called when events past the listener's position may be available; `ownEvent` when the
   * newest is the listener's own message coming back to it (it can wait for the others).
   */
  wake(ownEvent?: boolean): void;
  /**
   * Seq of the last event this listener has been sent; undefined while it has none to keep
   * (not welcomed yet: it then starts from its own lastSeq, read from the database if need be).
   */
  readonly position: number | undefined;
}

/**
 * One task's event stream on this instance. It knows the highest committed seq (from local
 * commits, bus messages and periodic resyncs) and caches the newest events as the frames
 * sockets receive; listeners pull from it in order, so delivery never depends on a bus message
 * arriving — only on the DB. The cache holds frames only until every listener here has been
 * sent them, because frames kept longer outlive young-generation collections and are promoted.
 */
export class TaskFeed {
  /** Highest seq believed committed (a bus message may claim more than exists; resync corrects it). */
  latest = 0;
  /** Highest seq seen committed for certain: read from the database or committed here. */
  private confirmed = 0;
  readonly listeners = new Set<FeedListener>();
  /**
   * Wire frames, contiguous and ascending: cache[i] is the frame of event cacheBase + i + 1.
   * Encoded once as UTF-8 here rather than by every socket it is written to.
   */
  private cache: Buffer[] = [];
  private cacheBase = 0;
  private filling: Promise<void> | null = null;
  unsubscribe: () => void = () => {};

  constructor(
    readonly taskId: string,
    private readonly db: Kysely<Database>,
  ) {}

  /** Starts caching after `seq` (the head read when the feed was opened). */
  reset(seq: number): void {
    if (this.cache.length === 0 && seq > this.cacheBase) this.cacheBase = seq;
    if (seq > this.latest) this.latest = seq;
    if (seq > this.confirmed) this.confirmed = seq;
  }

  private get cacheEnd(): number {
    return this.cacheBase + this.cache.length;
  }

  /**
   * Events committed on this instance: cached directly, no read needed. The sender of the
   * last of them already has its message; the others are waiting for it, so their sockets
   * are written first and the sender's are flushed after them (see SocketCork).
   */
  ingest(events: readonly StoredEvent[]): void {
    for (const ev of events) {
      if (ev.seq === this.cacheEnd + 1) this.push(frameOf(ev));
      if (ev.seq > this.latest) this.latest = ev.seq;
      if (ev.seq > this.confirmed) this.confirmed = ev.seq;
    }
    const sender = events[events.length - 1]?.senderId;
    for (const l of this.listeners) if (l.user.id !== sender) l.wake();
    for (const l of this.listeners) if (l.user.id === sender) l.wake(true);
    this.dropDelivered();
  }

  /** A bus message says events up to `seq` exist. */
  notify(seq: number): void {
    // Nothing new (the usual case for this instance's own commits, already ingested): no wake.
    if (seq <= this.latest) return;
    this.latest = seq;
    this.catchUp();
  }

  /**
   * The head as read from the database: corrects a bogus bus message, and catches up on events
   * whose bus message was lost. The read may predate a commit made here since (PostgreSQL,
   * another connection), so it never takes the head below what this feed has seen committed.
   */
  resync(lastSeq: number): void {
    if (lastSeq > this.confirmed) this.confirmed = lastSeq;
    this.latest = this.confirmed;
    this.catchUp();
  }

  private catchUp(): void {
    if (this.latest > this.cacheEnd)
      void this.fill().then(
        () => this.wakeAll(),
        () => this.wakeAll(),
      );
    else this.wakeAll();
  }

  /**
   * The frames of the events right after `after`, in order, when the cache has them (possibly
   * none yet); undefined when they must be read with `readAfter`.
   */
  cachedAfter(after: number): readonly Buffer[] | undefined {
    if (after < this.cacheBase) return undefined;
    if (after >= this.cacheEnd && this.latest > this.cacheEnd) return undefined;
    return this.cache.slice(after - this.cacheBase);
  }

  /** Like cachedAfter, reading what the cache lacks: replays from the database, a fill. */
  async readAfter(after: number): Promise<readonly Buffer[]> {
    if (after >= this.cacheBase) {
      await this.fill();
      // Asked again: while the fill ran, the cache may have moved past `after` (a long fill
      // drops its oldest events), and then only the database has them.
      const cached = this.cachedAfter(after);
      if (cached) return cached;
    }
    // Older than the cache: a replay; read straight from the database, up to any gap.
    const rows = await eventsAfter(this.db, this.taskId, after, PAGE);
    const wires: Buffer[] = [];
    for (const ev of rows) {
      if (ev.seq !== after + wires.length + 1) break;
      wires.push(frameOf(ev));
    }
    return wires;
  }

  private push(wire: Buffer): void {
    this.cache.push(wire);
    if (this.cache.length > CACHE_LIMIT) {
      const drop = this.cache.length - CACHE_LIMIT;
      this.cache.splice(0, drop);
      this.cacheBase += drop;
    }
  }

  /** One read at a time per task, however many sockets are waiting on it. */
  private fill(): Promise<void> {
    if (!this.filling) {
      this.filling = (async () => {
        try {
          while (this.latest > this.cacheEnd) {
            const rows = await eventsAfter(this.db, this.taskId, this.cacheEnd, PAGE);
            if (rows.length === 0) break;
            for (const ev of rows) {
              if (ev.seq === this.cacheEnd + 1) this.push(frameOf(ev));
              if (ev.seq > this.confirmed) this.confirmed = ev.seq;
            }
            if (rows.length < PAGE) break;
          }
        } finally {
          this.filling = null;
        }
      })();
    }
    return this.filling;
  }

  private wakeAll(): void {
    for (const l of this.listeners) l.wake();
    this.dropDelivered();
  }

  /**
   * Forgets the frames every listener has been sent. A woken listener that reads from the
   * cache has been sent everything by now (that part of its pump is synchronous); one still
   * replaying from the database keeps what it has yet to reach.
   */
  private dropDelivered(): void {
    let slowest = Number.POSITIVE_INFINITY;
    for (const l of this.listeners) {
      const at = l.position;
      if (at !== undefined && at < slowest) slowest = at;
    }
    const drop = Math.min(slowest - this.cacheBase, this.cache.length);
    if (drop <= 0) return;
    this.cache.splice(0, drop);
    this.cacheBase += drop;
  }
}
