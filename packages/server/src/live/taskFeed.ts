import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema';
import { eventsAfter, type StoredEvent, wireOf } from '../tasks/taskLock';

/** Recent events kept per task, so a live event goes to every local socket with one read. */
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
}

/**
 * One task's event stream on this instance. It knows the highest committed seq (from local
 * commits, bus messages and periodic resyncs) and caches the newest events as the frames
 * sockets receive; listeners pull from it in order, so delivery never depends on a bus message
 * arriving — only on the DB. Frames are cached as strings rather than event objects: a
 * thousand live sessions keep their recent events here, and one string per event is far less
 * for the garbage collector to carry than an object graph.
 */
export class TaskFeed {
  /** Highest seq known to be committed. */
  latest = 0;
  readonly listeners = new Set<FeedListener>();
  /** Wire frames, contiguous and ascending: cache[i] is the frame of event cacheBase + i + 1. */
  private cache: string[] = [];
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
  }

  private get cacheEnd(): number {
    return this.cacheBase + this.cache.length;
  }

  /**
   * Events committed on this instance: cached directly, no read needed. The sender of the
   * last of them already has its message; the others are waiting for it, so their sockets
   * are written first and the sender's are flushed after them (see LiveConnection.write).
   */
  ingest(events: readonly StoredEvent[]): void {
    for (const ev of events) {
      if (ev.seq === this.cacheEnd + 1) this.push(wireOf(ev));
      if (ev.seq > this.latest) this.latest = ev.seq;
    }
    const sender = events[events.length - 1]?.senderId;
    for (const l of this.listeners) if (l.user.id !== sender) l.wake();
    for (const l of this.listeners) if (l.user.id === sender) l.wake(true);
  }

  /** A bus message says events up to `seq` exist. */
  notify(seq: number): void {
    // Nothing new (the usual case for this instance's own commits, already ingested): no wake.
    if (seq <= this.latest) return;
    this.latest = seq;
    this.catchUp();
  }

  /** Authoritative head from the database (corrects a bogus bus message too). */
  resync(lastSeq: number): void {
    this.latest = lastSeq;
    if (this.cacheEnd > lastSeq) {
      this.cache = [];
      this.cacheBase = lastSeq;
    }
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
  cachedAfter(after: number): readonly string[] | undefined {
    if (after < this.cacheBase) return undefined;
    if (after >= this.cacheEnd && this.latest > this.cacheEnd) return undefined;
    return this.cache.slice(after - this.cacheBase);
  }

  /** Like cachedAfter, reading what the cache lacks: replays from the database, a fill. */
  async readAfter(after: number): Promise<readonly string[]> {
    if (after >= this.cacheBase) {
      await this.fill();
      // Asked again: while the fill ran, the cache may have moved past `after` (a long fill
      // drops its oldest events), and then only the database has them.
      const cached = this.cachedAfter(after);
      if (cached) return cached;
    }
    // Older than the cache: a replay; read straight from the database, up to any gap.
    const rows = await eventsAfter(this.db, this.taskId, after, PAGE);
    const wires: string[] = [];
    for (const ev of rows) {
      if (ev.seq !== after + wires.length + 1) break;
      wires.push(wireOf(ev));
    }
    return wires;
  }

  private push(wire: string): void {
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
            for (const ev of rows) if (ev.seq === this.cacheEnd + 1) this.push(wireOf(ev));
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
  }
}
