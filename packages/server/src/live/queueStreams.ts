import { CLOSE_CODES, type Task } from '@codevf/protocol';
import type { AuthUser } from '../auth/guards';
import type { AppContext } from '../context';
import { lostAccess } from './accessCheck';

/** One engineer's open queue stream (a server-sent events response). */
export interface QueueClient {
  readonly user: AuthUser;
  /** Writes one SSE frame; false when the connection is already gone. */
  write(frame: string): boolean;
  /**
   * Ends the response. Without `refused` the browser's EventSource reconnects (and is
   * authenticated again); with it, an `end` event says why first and the console stops.
   */
  end(refused?: { code: 'E_UNAUTHORIZED' | 'E_FORBIDDEN'; message: string }): void;
}

/** The SSE frame of a queue snapshot: every waiting task, next first (`GET /v1/queue` as JSON). */
export function queueFrame(tasks: readonly Task[]): string {
  return `event: queue\ndata: ${JSON.stringify({ tasks })}\n\n`;
}

/**
 * The queue streams this instance holds. Every change of the queue (heard from the bus, so
 * from any instance) re-reads the queue once and sends the fresh snapshot to each stream whose
 * last snapshot differs: bursts of changes (a claim re-ranks every waiting task) collapse into
 * one read per round, and a snapshot is never older than the last change heard before it was
 * read, so no client ends up showing a stale list.
 */
export class QueueStreams {
  private readonly clients = new Map<QueueClient, { last: string | null }>();
  private running = false;
  private dirty = false;
  /** The snapshot of the last round, while no change has been heard since (new streams get it). */
  private current: string | null = null;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: AppContext,
    private readonly read: () => Promise<Task[]>,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  add(client: QueueClient): void {
    const state = { last: null as string | null };
    this.clients.set(client, state);
    if (this.current !== null && !this.running) {
      state.last = this.current;
      client.write(this.current);
    } else this.refresh();
  }

  remove(client: QueueClient): void {
    this.clients.delete(client);
  }

  /** The queue changed somewhere: every stream gets a fresh snapshot. */
  changed(): void {
    this.current = null;
    if (this.clients.size > 0) this.refresh();
  }

  /** Resolves when no round is running (tests and shutdown). */
  settled(): Promise<void> {
    return this.idle;
  }

  /** Starts a round, or asks the running one for another after it (its read may predate the change). */
  refresh(): void {
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = true;
    this.idle = this.rounds().finally(() => {
      this.running = false;
    });
  }

  private async rounds(): Promise<void> {
    do {
      this.dirty = false;
      let frame: string;
      try {
        frame = queueFrame(await this.read());
      } catch (err) {
        // The streams keep their last snapshot; the periodic refresh tries again.
        this.ctx.log.warn({ err }, 'queue stream: reading the queue failed');
        return;
      }
      if (!this.dirty) this.current = frame;
      for (const [client, state] of this.clients) {
        if (state.last === frame) continue;
        state.last = frame;
        if (!client.write(frame)) this.clients.delete(client);
      }
    } while (this.dirty);
  }

  /** Keeps idle connections (and the proxies on their way) open; dead ones are dropped. */
  ping(): void {
    for (const client of this.clients.keys()) if (!client.write(': keep-alive\n\n')) this.clients.delete(client);
  }

  /** Ends the streams whose account, role, login or console session is gone (accessCheck.ts). */
  async sweepAccess(userId?: string): Promise<void> {
    const holders = [...this.clients.keys()]
      .filter((c) => userId === undefined || c.user.id === userId)
      .map((client) => ({ client, user: client.user, taskId: '', role: 'engineer' as const }));
    if (holders.length === 0) return;
    const lost = await lostAccess(this.ctx.storage.db, this.ctx.clock.now(), holders);
    for (const [h, why] of lost) {
      this.clients.delete(h.client);
      h.client.end({
        code: why.code === CLOSE_CODES.unauthorized ? 'E_UNAUTHORIZED' : 'E_FORBIDDEN',
        message: why.reason,
      });
    }
  }

  closeAll(): void {
    for (const client of this.clients.keys()) client.end();
    this.clients.clear();
  }
}
