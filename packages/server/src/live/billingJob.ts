import { billConnectedTask, minuteIndex } from '../billing/billing';
import type { AppContext } from '../context';
import { yieldToIo } from './yieldToIo';

/**
 * Charges every minute an engineer connected to this instance has been in an active session.
 * It remembers per task the minutes it has seen settled, so most ticks need no query.
 */
export class BillingJob {
  private readonly settled = new Map<string, { claimedAt: string | null; through: number }>();

  constructor(private readonly ctx: AppContext) {}

  /** One pass over the tasks with an engineer here (`presence`: since when, per task). */
  async tick(presence: Map<string, Date>): Promise<void> {
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
}
