import type { AppContext } from '../context';
import { staleBefore } from './instanceHeartbeat';

/**
 * The per-account socket cap over every instance (CODEVF_MAX_SOCKETS_PER_USER). Each instance
 * stores in `user_sockets` how many sockets it holds per account; a new socket is refused when
 * this instance's own count plus the stored counts of the other live instances reach the cap.
 * Counts of an instance whose heartbeat stopped are not counted (and are pruned).
 *
 * A count is written after each change, one write at a time per account, each storing the
 * count current when it runs, so the stored count always ends at the true one. Another
 * instance sees a change once that write has committed: sockets opened on several instances
 * within those milliseconds can pass the cap together by as many.
 */
export class UserSocketCounts {
  /** Accounts with a write under way; true when another change came meanwhile. */
  private readonly writing = new Map<string, boolean>();

  constructor(
    private readonly ctx: AppContext,
    private readonly instanceId: string,
    private readonly held: (userId: string) => number,
    private readonly track: (p: Promise<void>) => void,
  ) {}

  /** This instance's sockets of `userId` changed in number. */
  changed(userId: string): void {
    if (this.writing.has(userId)) {
      this.writing.set(userId, true);
      return;
    }
    this.writing.set(userId, false);
    this.track(this.flush(userId));
  }

  private async flush(userId: string): Promise<void> {
    try {
      for (;;) {
        try {
          await this.store(userId, this.held(userId));
        } catch (err) {
          this.ctx.log.warn({ err, userId }, 'could not store the socket count');
        }
        if (!this.writing.get(userId)) return;
        this.writing.set(userId, false);
      }
    } finally {
      this.writing.delete(userId);
    }
  }

  private async store(userId: string, sockets: number): Promise<void> {
    const db = this.ctx.storage.db;
    if (sockets > 0) {
      await db
        .insertInto('user_sockets')
        .values({ user_id: userId, instance_id: this.instanceId, sockets })
        .onConflict((oc) => oc.columns(['user_id', 'instance_id']).doUpdateSet({ sockets }))
        .execute();
    } else {
      await db
        .deleteFrom('user_sockets')
        .where('user_id', '=', userId)
        .where('instance_id', '=', this.instanceId)
        .execute();
    }
  }

  /** Sockets `userId` holds on the other live instances. */
  async elsewhere(userId: string): Promise<number> {
    const row = await this.ctx.storage.db
      .selectFrom('user_sockets as u')
      .innerJoin('server_instances as i', 'i.id', 'u.instance_id')
      .select((eb) => eb.fn.sum<number>('u.sockets').as('n'))
      .where('u.user_id', '=', userId)
      .where('u.instance_id', '!=', this.instanceId)
      .where('i.seen_at', '>=', staleBefore(this.ctx.clock.now()))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
