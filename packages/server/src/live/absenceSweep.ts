import { billTask } from '../billing/billing';
import { customerAbsentSince } from '../billing/billingRule';
import { readPresenceMarks } from '../billing/presenceMarks';
import type { AppContext } from '../context';
import { staleBefore } from './instanceHeartbeat';
import { AGENT_ROW, agentStaleBefore, closeUnbackedPresence, type ParticipantPresence } from './participantPresence';
import { yieldToIo } from './yieldToIo';

/**
 * The customer-gone end for tasks no instance watches. The billing job looks only at tasks
 * with a socket on its own instance, so a task whose participants both left, or whose only
 * sockets were on an instance that died, would stay active for ever. This finds active tasks
 * whose customer has no live socket on any instance and has been away longer than
 * CODEVF_CUSTOMER_GONE_MINUTES (or is still recorded as connected with no live socket behind
 * it), closes that presence and lets billTask end them. Any instance may run it, several at
 * once: each change is made under the task's lock by code that checks the state first.
 * Returns how many tasks were due.
 */
export async function sweepAbsentCustomers(ctx: AppContext, presence: ParticipantPresence): Promise<number> {
  const now = ctx.clock.now().getTime();
  const goneMs = ctx.config.customerGoneMinutes * 60_000;
  const goneBefore = new Date(now - goneMs).toISOString();
  const liveSince = staleBefore(new Date(now));
  const agentSince = agentStaleBefore(new Date(now), ctx.config);
  const candidates = await ctx.storage.db
    .selectFrom('tasks as t')
    .select(['t.id', 't.claimed_at'])
    .where('t.status', '=', 'active')
    // Away since the claim at the latest: a task claimed more recently cannot be due.
    .where('t.claimed_at', '<=', goneBefore)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('task_presence as p')
            .select('p.task_id')
            .whereRef('p.task_id', '=', 't.id')
            .where('p.role', '=', 'customer')
            // An agent's row lives by its own window (agentPresence.ts), a socket's by its instance's heartbeat.
            .where(({ eb, and, or }) =>
              or([
                and([eb('p.instance_id', '!=', AGENT_ROW), eb('p.seen_at', '>=', liveSince)]),
                and([eb('p.instance_id', '=', AGENT_ROW), eb('p.seen_at', '>=', agentSince)]),
              ]),
            ),
        ),
      ),
    )
    .execute();
  let looked = 0;
  for (const t of candidates) {
    // Tasks with a socket here are the billing job's; its timing is finer.
    if (presence.sockets(t.id, 'customer') + presence.sockets(t.id, 'engineer') > 0) continue;
    await yieldToIo();
    // The billing rule's own reading of the transcript decides, as it will under the lock.
    const marks = await readPresenceMarks(ctx.storage.read, t.id);
    const open = marks.findLast((m) => m.role === 'customer')?.connected === true;
    const absent = customerAbsentSince(marks, Date.parse(t.claimed_at ?? ''));
    if (!open && !(absent && now - absent.since >= goneMs)) continue;
    looked++;
    try {
      if (open) await closeUnbackedPresence(ctx, presence, t.id);
      await billTask(ctx, t.id);
    } catch (err) {
      ctx.log.error({ err, taskId: t.id }, 'absent-customer check failed');
    }
  }
  return looked;
}
