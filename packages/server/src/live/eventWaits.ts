import type { AppContext } from '../context';
import { ApiError } from '../http/errors';

/** Longest wait of `GET /v1/tasks/:id/events?wait=` (seconds): under the 60 s a tool call may take. */
export const MAX_EVENT_WAIT_SECONDS = 55;
/**
 * Waits one user may hold open at once on this instance. An agent needs one per task it
 * follows; more is a client looping without awaiting its previous poll, and each wait holds a
 * connection and a bus subscription.
 */
export const MAX_WAITS_PER_USER = 8;

/**
 * The long-polls of `GET /v1/tasks/:id/events?wait=` on this instance. A wait ends at the first
 * bus message announcing an event past the caller's position (any instance's commit: the bus
 * carries them all), when the time is up, or when the caller goes away; each way it gives up
 * its timer and subscription. A bus message lost on the way only makes the wait run to its
 * end: the caller then reads the event on its next poll.
 */
export class EventWaits {
  private readonly byUser = new Map<string, number>();
  private readonly running = new Set<AbortController>();

  constructor(private readonly ctx: Pick<AppContext, 'bus' | 'storage'>) {}

  /** Waits open now (all users). */
  get size(): number {
    return this.running.size;
  }

  /**
   * Resolves once the task has an event past `after` or has ended, after `ms`, or when `signal`
   * aborts — whichever comes first. Throws E_LIMIT_REACHED when the user already holds
   * MAX_WAITS_PER_USER waits here.
   */
  async wait(userId: string, taskId: string, after: number, ms: number, signal: AbortSignal): Promise<void> {
    const held = this.byUser.get(userId) ?? 0;
    if (held >= MAX_WAITS_PER_USER)
      throw new ApiError(
        'E_LIMIT_REACHED',
        `At most ${MAX_WAITS_PER_USER} waits for events may be open at once per account; let one finish (or use wait=0).`,
      );
    this.byUser.set(userId, held + 1);
    const stop = new AbortController();
    this.running.add(stop);
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) stop.abort();
    let timer: NodeJS.Timeout | undefined;
    const unsubscribe = this.ctx.bus.subscribe(taskId, (seq) => {
      if (seq > after) stop.abort();
    });
    try {
      const ended = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
      // Subscribed before the head is read: an event committed after the read is announced to us.
      await Promise.race([this.ctx.bus.subscribed(taskId), ended]);
      if (stop.signal.aborted) return;
      const head = await this.ctx.storage.db
        .selectFrom('tasks')
        .select(['last_seq', 'status'])
        .where('id', '=', taskId)
        .executeTakeFirst();
      if (!head || head.status === 'ended' || Number(head.last_seq) > after) return;
      timer = setTimeout(() => stop.abort(), ms);
      await ended;
    } finally {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      this.running.delete(stop);
      const left = (this.byUser.get(userId) ?? 1) - 1;
      if (left > 0) this.byUser.set(userId, left);
      else this.byUser.delete(userId);
    }
  }

  /** Ends every wait at once (the server is stopping): each answers with what exists. */
  abortAll(): void {
    for (const stop of this.running) stop.abort();
  }
}
