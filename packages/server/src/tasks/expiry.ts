import type { AppContext } from '../context';
import { expireRequest } from './requests';
import { withTaskLock } from './taskTransaction';

const BATCH = 200;

/**
 * Turns every pending request past its expiry into a persisted `request_expired`. Every
 * instance may run this at once: the conditional update inside the task lock lets exactly one
 * of them record each expiry.
 */
export async function expireDueRequests(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.storage.db
    .selectFrom('task_requests')
    .select(['id', 'task_id'])
    .where('state', '=', 'pending')
    .where('expires_at', '<=', now.toISOString())
    .orderBy('expires_at')
    .limit(BATCH)
    .execute();
  let n = 0;
  for (const r of due) {
    const change = await withTaskLock(ctx, r.task_id, now, (tx) => expireRequest(tx, r.id));
    if (change.value) n++;
    // Socket I/O goes in between: a batch of expiries must not stall live messages.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return n;
}
