import type { AuthUser } from '../auth/guards';
import type { Participant } from '../billing/billingRule';
import type { AppContext } from '../context';
import { newId } from '../ids';
import type { TaskHead } from '../storage/schema';
import { type TaskTx, withTaskLock } from '../tasks/taskTransaction';

/** A participant's socket, as presence sees it. */
export interface PresentSocket {
  readonly taskId: string;
  readonly role: Participant;
  readonly user: AuthUser;
}

/** An instance's row not refreshed for this long belongs to a dead instance (see sweepStale). */
export const PRESENCE_STALE_MS = 30_000;

/**
 * Who is connected to which task. Each instance counts the sockets it holds (here) and mirrors
 * the count per task and participant into `task_presence`; the total over all instances decides
 * the persisted `*_connected` / `*_disconnected` events, so a participant with sockets on two
 * instances is present until the last one closes. Billing reads those events, never this map.
 */
export class ParticipantPresence {
  /** This process's name in `task_presence`. */
  readonly instanceId = newId();
  private readonly byTask = new Map<string, Set<PresentSocket>>();

  /** Records a socket after its hello. */
  arrived(c: PresentSocket): void {
    const set = this.byTask.get(c.taskId) ?? new Set();
    this.byTask.set(c.taskId, set);
    set.add(c);
  }

  /** Forgets a socket; false when it was not here. */
  left(c: PresentSocket): boolean {
    const set = this.byTask.get(c.taskId);
    if (!set?.delete(c)) return false;
    if (set.size === 0) this.byTask.delete(c.taskId);
    return true;
  }

  /** The tasks with a participant's socket on this instance. */
  tasks(): IterableIterator<string> {
    return this.byTask.keys();
  }

  /** How many of a participant's sockets for a task are on this instance. */
  sockets(taskId: string, role: Participant): number {
    let n = 0;
    for (const c of this.byTask.get(taskId) ?? []) if (c.role === role) n++;
    return n;
  }
}

const EVENT = {
  customer: { connected: 'customer_connected', disconnected: 'customer_disconnected' },
  engineer: { connected: 'engineer_connected', disconnected: 'engineer_disconnected' },
} as const;

/**
 * Stores this instance's current socket count of (task, role) and, under the task's lock, records the
 * participant's arrival or departure when the total over every live instance says so and the
 * transcript does not already. Engineers are recorded only in an active session; the customer
 * also while queued (so the claim knows they are there), never after the end.
 */
export async function recordPresence(ctx: AppContext, presence: ParticipantPresence, c: PresentSocket): Promise<void> {
  const instanceId = presence.instanceId;
  await withTaskLock(
    ctx,
    c.taskId,
    ctx.clock.now(),
    async (tx) => {
      const now = tx.now.toISOString();
      // Counted under the lock, not when the socket came or went: of an arrival and a departure
      // racing for the lock, the later one must store the count that is true when it runs.
      const localSockets = presence.sockets(c.taskId, c.role);
      if (localSockets > 0) {
        await tx.trx
          .insertInto('task_presence')
          .values({ task_id: c.taskId, role: c.role, instance_id: instanceId, sockets: localSockets, seen_at: now })
          .onConflict((oc) =>
            oc.columns(['task_id', 'role', 'instance_id']).doUpdateSet({ sockets: localSockets, seen_at: now }),
          )
          .execute();
      } else {
        await tx.trx
          .deleteFrom('task_presence')
          .where('task_id', '=', c.taskId)
          .where('role', '=', c.role)
          .where('instance_id', '=', instanceId)
          .execute();
      }
      await reconcileInTx(tx, c.role, c.user);
    },
    'head',
  );
}

/** Appends the presence event the live rows call for, if the transcript says otherwise. */
async function reconcileInTx(tx: TaskTx<TaskHead>, role: Participant, user: AuthUser | null): Promise<void> {
  const status = tx.task.status;
  if (status === 'ended' || (role === 'engineer' && status !== 'active')) return;
  const fresh = new Date(tx.now.getTime() - PRESENCE_STALE_MS).toISOString();
  const live = await tx.trx
    .selectFrom('task_presence')
    .select((eb) => eb.fn.sum<number>('sockets').as('n'))
    .where('task_id', '=', tx.task.id)
    .where('role', '=', role)
    .where('seen_at', '>=', fresh)
    .executeTakeFirst();
  const present = Number(live?.n ?? 0) > 0;
  const last = await tx.trx
    .selectFrom('task_events')
    .select(['type', 'payload'])
    .where('task_id', '=', tx.task.id)
    .where('type', 'in', [EVENT[role].connected, EVENT[role].disconnected])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const recorded = last?.type === EVENT[role].connected;
  if (present === recorded) return;
  if (present) {
    if (!user) return;
    if (role === 'engineer')
      await tx.append('engineer_connected', {
        engineer: { id: user.id, name: user.name, title: user.title },
        kind: 'human',
      });
    else await tx.append('customer_connected', { customerId: user.id });
    return;
  }
  const id = last ? (JSON.parse(last.payload) as { customerId?: string; engineer?: { id: string } }) : {};
  if (role === 'engineer') await tx.append('engineer_disconnected', { engineerId: id.engineer?.id ?? user?.id ?? '' });
  else await tx.append('customer_disconnected', { customerId: id.customerId ?? user?.id ?? '' });
}

/**
 * Keeps this instance's rows alive, then retires the rows of instances that stopped refreshing
 * theirs (a killed process): a participant whose only sockets were there is recorded as gone.
 */
export async function refreshPresence(ctx: AppContext, instanceId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.storage.db
    .updateTable('task_presence')
    .set({ seen_at: now.toISOString() })
    .where('instance_id', '=', instanceId)
    .execute();
  const cutoff = new Date(now.getTime() - PRESENCE_STALE_MS).toISOString();
  const stale = await ctx.storage.db
    .selectFrom('task_presence')
    .select(['task_id', 'role'])
    .where('seen_at', '<', cutoff)
    .distinct()
    .execute();
  for (const row of stale) {
    await withTaskLock(
      ctx,
      row.task_id,
      now,
      async (tx) => {
        await tx.trx
          .deleteFrom('task_presence')
          .where('task_id', '=', row.task_id)
          .where('role', '=', row.role)
          .where('seen_at', '<', cutoff)
          .execute();
        await reconcileInTx(tx, row.role, null);
      },
      'head',
    );
  }
}
