import type { AuthUser } from '../auth/guards';
import type { AppContext } from '../context';
import { withTaskLock } from '../tasks/taskTransaction';
import { AGENT_ROW, agentStaleBefore, reconcileInTx } from './participantPresence';

/** An agent's calls refresh its presence row at most this often (a poll loop and output chunks come fast). */
const TOUCH_EVERY_MS = 10_000;

/**
 * Presence of an agent-driven task's customer, who holds no socket: their coding agent's calls
 * on the task (`GET …/events`, a wait in progress included, and `POST …/messages`) keep a
 * presence row alive (AGENT_ROW in `task_presence`, counted with the sockets' rows by
 * participantPresence.ts). The first call records `customer_connected { via: "agent" }`; a row
 * not refreshed for CODEVF_AGENT_PRESENCE_SECONDS is retired by the sweep below on any instance,
 * recording `customer_disconnected { lastSeenAt }` (the last call) unless a socket still holds
 * the customer. Billing and the customer-gone end then read those events as for sockets.
 *
 * Per instance, this remembers which tasks it served calls of: the billing job looks after
 * them as it does the tasks of its sockets.
 */
export class AgentPresence {
  /** Task id → when this instance last refreshed its agent's row (clock ms). */
  private readonly touched = new Map<string, number>();

  /** Whether a call now should refresh the row (not done within TOUCH_EVERY_MS here). */
  due(taskId: string, now: number): boolean {
    const last = this.touched.get(taskId);
    return last === undefined || now - last >= TOUCH_EVERY_MS || now < last;
  }

  noted(taskId: string, now: number): void {
    this.touched.set(taskId, now);
  }

  /**
   * Tasks whose agent called here lately: within twice the presence window, so that the
   * billing job also sees the departure through and the task's end when the customer stays away.
   */
  tasks(now: number, config: AppContext['config']): string[] {
    const keep = 2 * config.agentPresenceSeconds * 1000 + config.customerGoneMinutes * 60_000;
    const out: string[] = [];
    for (const [taskId, at] of this.touched) {
      if (now - at > keep) this.touched.delete(taskId);
      else out.push(taskId);
    }
    return out;
  }
}

/**
 * A call of the customer's agent on `taskId`: refreshes its presence row and records the
 * customer's arrival if the transcript does not have them present. A row that had gone stale
 * (no sweep came by yet) is retired first, so the gap is recorded, not billed.
 */
export async function agentCalled(
  ctx: AppContext,
  agents: AgentPresence,
  taskId: string,
  user: AuthUser,
): Promise<void> {
  const now = ctx.clock.now();
  if (!agents.due(taskId, now.getTime())) return;
  await withTaskLock(
    ctx,
    taskId,
    now,
    async (tx) => {
      if (tx.task.status === 'ended') return;
      const from = { self: AGENT_ROW, agentSince: agentStaleBefore(tx.now, ctx.config) };
      await reconcileInTx(tx, 'customer', null, from);
      const seen = tx.now.toISOString();
      await tx.trx
        .insertInto('task_presence')
        .values({ task_id: taskId, role: 'customer', instance_id: AGENT_ROW, sockets: 1, seen_at: seen })
        .onConflict((oc) => oc.columns(['task_id', 'role', 'instance_id']).doUpdateSet({ seen_at: seen }))
        .execute();
      await reconcileInTx(tx, 'customer', user, { ...from, via: 'agent' });
    },
    'head',
  );
  agents.noted(taskId, now.getTime());
}

/**
 * Retires the agent rows not refreshed within CODEVF_AGENT_PRESENCE_SECONDS, recording the
 * departures they stood for. Any instance may run it, several at once: each runs under the
 * task's lock and reads the row again there. Returns how many rows were stale.
 */
export async function sweepAgentPresence(ctx: AppContext, self: string): Promise<number> {
  const now = ctx.clock.now();
  const stale = await ctx.storage.db
    .selectFrom('task_presence')
    .select('task_id')
    .where('instance_id', '=', AGENT_ROW)
    .where('seen_at', '<', agentStaleBefore(now, ctx.config))
    .execute();
  for (const { task_id } of stale) {
    try {
      await withTaskLock(
        ctx,
        task_id,
        now,
        (tx) => reconcileInTx(tx, 'customer', null, { self, agentSince: agentStaleBefore(tx.now, ctx.config) }),
        'head',
      );
    } catch (err) {
      ctx.log.warn({ err, taskId: task_id }, "could not retire an agent's presence");
    }
  }
  return stale.length;
}
