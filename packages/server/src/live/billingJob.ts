import { billTask } from '../billing/billing';
import type { AppContext } from '../context';
import { yieldToIo } from './yieldToIo';

/**
 * Brings the billing of every task with a participant on this instance up to date (billTask),
 * and ends a task whose customer stayed away too long. It remembers per task when the next
 * charge or check can be due, so most ticks need no query; a presence change seen here makes
 * the task due at once.
 */
export class BillingJob {
  private readonly nextCheck = new Map<string, number | null>();

  constructor(private readonly ctx: AppContext) {}

  /** Someone came or went: look at the task on the next tick. */
  invalidate(taskId: string): void {
    this.nextCheck.delete(taskId);
  }

  /** One pass over the tasks with a participant here. */
  async tick(tasks: Iterable<string>): Promise<void> {
    const watched = new Set(tasks);
    for (const taskId of this.nextCheck.keys()) if (!watched.has(taskId)) this.nextCheck.delete(taskId);
    const now = this.ctx.clock.now().getTime();
    for (const taskId of watched) {
      const due = this.nextCheck.get(taskId);
      if (due === null || (due !== undefined && now < due)) continue;
      // Let waiting socket I/O in between charges: a minute boundary shared by a thousand
      // sessions must not hold up their messages for the whole round.
      await yieldToIo();
      try {
        this.nextCheck.set(taskId, (await billTask(this.ctx, taskId)).nextCheckAt);
      } catch (err) {
        this.ctx.log.error({ err, taskId }, 'billing tick failed');
      }
    }
  }
}
