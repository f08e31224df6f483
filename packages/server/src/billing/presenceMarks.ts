import type { HelpKind } from '@codevf/protocol';
import type { Kysely } from 'kysely';
import { AGENT_ROW } from '../live/participantPresence';
import { type PreparedRunner, preparedQuery } from '../storage/preparedQuery';
import type { Database } from '../storage/schema';
import type { PresenceMark } from './billingRule';

const PRESENCE_TYPES = ['customer_connected', 'customer_disconnected', 'engineer_connected', 'engineer_disconnected'];

/**
 * A task's presence events. Put in seq order by the reader, not by SQL: SQLite serves
 * `ORDER BY seq` by walking the task's whole transcript in seq order instead of the
 * (task_id, type, seq) index, and billing reads this for every session every few seconds.
 */
const presenceEvents = preparedQuery('presenceEvents', (db, p: { taskId: string }) =>
  db
    .selectFrom('task_events')
    .select(['seq', 'type', 'created_at', 'payload'])
    .where('task_id', '=', p.taskId)
    .where('type', 'in', PRESENCE_TYPES),
);

/**
 * A task's presence events in seq order, as the billing rule reads them (through a
 * transaction's `run` or the storage's `read`). An engineer's marks say whether the AI or a
 * human came; a departure is of whoever came last. A departure noticed late (its instance
 * died) counts from its `lastSeenAt`.
 */
export async function readPresenceMarks(run: PreparedRunner, taskId: string): Promise<PresenceMark[]> {
  const { rows } = await run(presenceEvents, { taskId });
  rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  let helper: HelpKind = 'human';
  return rows.map((r) => {
    const connected = r.type.endsWith('_connected');
    const lastSeen = connected ? undefined : (JSON.parse(r.payload) as { lastSeenAt?: string }).lastSeenAt;
    const at = lastSeen ? Date.parse(lastSeen) : Date.parse(r.created_at);
    if (r.type.startsWith('customer')) return { role: 'customer', connected, at };
    if (r.type === 'engineer_connected') helper = (JSON.parse(r.payload) as { kind?: HelpKind }).kind ?? 'human';
    return { role: 'engineer', connected, at, helper };
  });
}

/**
 * How far an agent-driven task's customer is known present (epoch ms): their agent's last call
 * when only the agent's row holds them (agentPresence.ts), `now` when a socket does or no row
 * does (then the events alone decide). A minute after the last call is not charged on the
 * strength of the presence window: if the agent calls again it is, otherwise the sweep records
 * the departure as of that call.
 */
export async function agentSeenUntil(db: Kysely<Database>, taskId: string, now: number): Promise<number> {
  const rows = await db
    .selectFrom('task_presence')
    .select(['instance_id', 'seen_at'])
    .where('task_id', '=', taskId)
    .where('role', '=', 'customer')
    .execute();
  const agent = rows.find((r) => r.instance_id === AGENT_ROW);
  if (!agent || rows.length > 1) return now;
  return Date.parse(agent.seen_at);
}

/** Whether an event type changes who is present (billing must look again). */
export function isPresenceType(type: string): boolean {
  return PRESENCE_TYPES.includes(type);
}
