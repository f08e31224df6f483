import type { AuthUser } from '../auth/guards';
import type { Participant } from '../billing/billingRule';
import type { AppContext } from '../context';
import { newId } from '../ids';
import type { TaskHead } from '../storage/schema';
import { type TaskTx, withTaskLock } from '../tasks/taskTransaction';
import { beat, lastSightOf, pruneDeadInstances, staleBefore } from './instanceHeartbeat';
import { yieldToIo } from './yieldToIo';

/** A participant's socket, as presence sees it. */
export interface PresentSocket {
  readonly taskId: string;
  readonly role: Participant;
  readonly user: AuthUser;
}

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
    return this.counted(taskId, role).n;
  }

  /** The count, and the account behind those sockets (null when there are none here). */
  counted(taskId: string, role: Participant): { n: number; user: AuthUser | null } {
    let n = 0;
    let user: AuthUser | null = null;
    for (const c of this.byTask.get(taskId) ?? [])
      if (c.role === role) {
        n++;
        user = c.user;
      }
    return { n, user };
  }
}

/**
 * The `instance_id` of an agent-driven customer's presence row (agentPresence.ts). Not a
 * process: the row is kept alive by the agent's calls, not by a heartbeat, and is live while
 * its `seen_at` is within CODEVF_AGENT_PRESENCE_SECONDS. Counted like any instance's sockets,
 * so a terminal and an agent on the same task make one presence.
 */
export const AGENT_ROW = 'agent';

/** The time before which an agent's presence row is stale (the agent stopped calling). */
export function agentStaleBefore(now: Date, config: AppContext['config']): string {
  return new Date(now.getTime() - config.agentPresenceSeconds * 1000).toISOString();
}

/** Tasks whose presence rows one statement of the refresh keeps alive. */
const REFRESH_CHUNK = 100;

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
export function recordPresence(ctx: AppContext, presence: ParticipantPresence, c: PresentSocket): Promise<void> {
  return storePresence(ctx, presence, c.taskId, c.role);
}

/** recordPresence for (task, role), from this instance's count at the time the lock is held. */
async function storePresence(
  ctx: AppContext,
  presence: ParticipantPresence,
  taskId: string,
  role: Participant,
): Promise<void> {
  const self = presence.instanceId;
  await withTaskLock(
    ctx,
    taskId,
    ctx.clock.now(),
    async (tx) => {
      const now = tx.now.toISOString();
      // Counted under the lock, not when the socket came or went: of an arrival and a departure
      // racing for the lock, the later one must store the count that is true when it runs.
      const local = presence.counted(taskId, role);
      const mine = tx.trx
        .selectFrom('task_presence')
        .where('task_id', '=', taskId)
        .where('role', '=', role)
        .where('instance_id', '=', self);
      let arrivedHere = false;
      if (local.n > 0) {
        arrivedHere = !(await mine.select('sockets').executeTakeFirst());
        await tx.trx
          .insertInto('task_presence')
          .values({ task_id: taskId, role, instance_id: self, sockets: local.n, seen_at: now })
          .onConflict((oc) =>
            oc.columns(['task_id', 'role', 'instance_id']).doUpdateSet({ sockets: local.n, seen_at: now }),
          )
          .execute();
      } else {
        await tx.trx
          .deleteFrom('task_presence')
          .where('task_id', '=', taskId)
          .where('role', '=', role)
          .where('instance_id', '=', self)
          .execute();
      }
      await reconcileInTx(tx, role, local.user, {
        self,
        arrivedHere,
        agentSince: agentStaleBefore(tx.now, ctx.config),
      });
    },
    'head',
  );
}

export interface ReconcileFrom {
  /** The instance reconciling: its own rows are live, however old their `seen_at`. */
  self: string;
  /** Its first socket of this participant just arrived (its row is new). */
  arrivedHere?: boolean;
  /** An agent's row (AGENT_ROW) last seen before this is stale: agentStaleBefore. */
  agentSince: string;
  /** How an arrival recorded now came: through an agent's calls. */
  via?: 'agent';
}

/**
 * Appends the presence events the live rows call for, if the transcript says otherwise. Rows
 * of instances that stopped refreshing are deleted first: the participant's presence through
 * them ended when they were last seen, which a departure noticed this late says (`lastSeenAt`).
 * An arrival that finds only such rows behind a recorded presence is a return after a gap: the
 * departure is recorded (as of the dead rows' last sight), then the arrival.
 */
export async function reconcileInTx(
  tx: TaskTx<TaskHead>,
  role: Participant,
  user: AuthUser | null,
  from: ReconcileFrom,
): Promise<void> {
  const cutoff = staleBefore(tx.now);
  const rows = await tx.trx
    .selectFrom('task_presence')
    .select(['instance_id', 'sockets', 'seen_at'])
    .where('task_id', '=', tx.task.id)
    .where('role', '=', role)
    .execute();
  const isStale = (r: { instance_id: string; seen_at: string }) =>
    r.instance_id === AGENT_ROW ? r.seen_at < from.agentSince : r.instance_id !== from.self && r.seen_at < cutoff;
  const stale = rows.filter(isStale);
  const live = rows.filter((r) => !isStale(r));
  let lostAt: string | undefined;
  if (stale.length > 0) {
    const dead = [...new Set(stale.map((r) => r.instance_id))];
    // An agent was last seen at its last call; a dead instance's sockets when it was last alive.
    const agentSeen = stale.find((r) => r.instance_id === AGENT_ROW)?.seen_at;
    const instances = dead.filter((id) => id !== AGENT_ROW);
    lostAt = instances.length > 0 ? await lastSightOf(tx.trx, instances) : undefined;
    if (agentSeen && (!lostAt || agentSeen > lostAt)) lostAt = agentSeen;
    await tx.trx
      .deleteFrom('task_presence')
      .where('task_id', '=', tx.task.id)
      .where('role', '=', role)
      .where('instance_id', 'in', dead)
      .execute();
  }

  const status = tx.task.status;
  if (status === 'ended' || (role === 'engineer' && status !== 'active')) return;
  const present = live.some((r) => Number(r.sockets) > 0);
  const last = await tx.trx
    .selectFrom('task_events')
    .select(['type', 'payload'])
    .where('task_id', '=', tx.task.id)
    .where('type', 'in', [EVENT[role].connected, EVENT[role].disconnected])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const recorded = last?.type === EVENT[role].connected;
  // Back after a gap: the only live row is the one this arrival just wrote.
  const lapsed =
    present && recorded && lostAt !== undefined && !!from.arrivedHere && live.every((r) => r.instance_id === from.self);
  if (present === recorded && !lapsed) return;
  if (recorded) {
    const id = last ? (JSON.parse(last.payload) as { customerId?: string; engineer?: { id: string } }) : {};
    const seen = lostAt ? { lastSeenAt: lostAt } : {};
    if (role === 'engineer')
      await tx.append('engineer_disconnected', { engineerId: id.engineer?.id ?? user?.id ?? '', ...seen });
    else await tx.append('customer_disconnected', { customerId: id.customerId ?? user?.id ?? '', ...seen });
  }
  if (!present || !user) return;
  if (role === 'engineer')
    await tx.append('engineer_connected', {
      engineer: { id: user.id, name: user.name, title: user.title },
      kind: 'human',
    });
  else await tx.append('customer_connected', { customerId: user.id, ...(from.via ? { via: from.via } : {}) });
}

/**
 * Keeps this instance's rows alive and true, then retires the rows of instances that stopped
 * refreshing theirs (a killed process): a participant whose only sockets were there is recorded
 * as gone. A row of ours that disagrees with the sockets we hold (an arrival or departure whose
 * write failed) is rewritten with the events it calls for, so no presence stays open by mistake.
 */
export async function refreshPresence(ctx: AppContext, presence: ParticipantPresence): Promise<void> {
  const now = ctx.clock.now();
  const instanceId = presence.instanceId;
  await beat(ctx.storage.db, instanceId, now);
  const mine = await ctx.storage.db
    .selectFrom('task_presence')
    .select(['task_id', 'role', 'sockets'])
    .where('instance_id', '=', instanceId)
    .execute();
  // A chunk of tasks per statement, with socket I/O in between: one UPDATE of every row (two
  // per session) held the event loop for milliseconds. Rows written meanwhile carry `now` already.
  const taskIds = [...new Set(mine.map((r) => r.task_id))];
  for (let i = 0; i < taskIds.length; i += REFRESH_CHUNK) {
    if (i > 0) await yieldToIo();
    await ctx.storage.db
      .updateTable('task_presence')
      .set({ seen_at: now.toISOString() })
      .where('instance_id', '=', instanceId)
      .where('task_id', 'in', taskIds.slice(i, i + REFRESH_CHUNK))
      .execute();
  }
  const stored = new Map(mine.map((r) => [`${r.role}:${r.task_id}`, Number(r.sockets)]));
  const wrong: { taskId: string; role: Participant }[] = [];
  for (const r of mine)
    if (presence.sockets(r.task_id, r.role) !== Number(r.sockets)) wrong.push({ taskId: r.task_id, role: r.role });
  for (const taskId of presence.tasks())
    for (const role of ['customer', 'engineer'] as const)
      if (!stored.has(`${role}:${taskId}`) && presence.sockets(taskId, role) > 0) wrong.push({ taskId, role });
  for (const w of wrong) {
    try {
      await storePresence(ctx, presence, w.taskId, w.role);
    } catch (err) {
      ctx.log.warn({ err, taskId: w.taskId }, `could not correct the ${w.role}'s presence`);
    }
  }
  await retireDeadInstances(ctx, instanceId, now);
  await pruneDeadInstances(ctx.storage.db, now);
}

/** Retires the rows no instance refreshed within PRESENCE_STALE_MS, recording the departures they hid. */
async function retireDeadInstances(ctx: AppContext, self: string, now: Date): Promise<void> {
  const cutoff = staleBefore(now);
  const stale = await ctx.storage.db
    .selectFrom('task_presence')
    .select(['task_id', 'role'])
    .where('seen_at', '<', cutoff)
    .where('instance_id', 'not in', [self, AGENT_ROW])
    .distinct()
    .execute();
  for (const row of stale) {
    const from = { self, agentSince: agentStaleBefore(now, ctx.config) };
    await withTaskLock(ctx, row.task_id, now, (tx) => reconcileInTx(tx, row.role, null, from), 'head');
  }
}

/**
 * Closes presence that no live row supports, for a task this instance holds no socket of: under
 * its lock, a participant recorded as connected without a live row is recorded as gone.
 */
export async function closeUnbackedPresence(
  ctx: AppContext,
  presence: ParticipantPresence,
  taskId: string,
): Promise<void> {
  const from = { self: presence.instanceId, agentSince: agentStaleBefore(ctx.clock.now(), ctx.config) };
  await withTaskLock(
    ctx,
    taskId,
    ctx.clock.now(),
    async (tx) => {
      await reconcileInTx(tx, 'customer', null, from);
      await reconcileInTx(tx, 'engineer', null, from);
    },
    'head',
  );
}
