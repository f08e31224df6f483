import type { PersistedType } from '@codevf/protocol';
import type { Kysely } from 'kysely';
import { preparedQuery } from '../storage/preparedQuery';
import type { Database, TaskEventRow } from '../storage/schema';

/** A persisted session event as stored, replayed and relayed. */
export interface StoredEvent {
  taskId: string;
  seq: number;
  type: PersistedType;
  timestamp: string;
  /** The payload's canonical JSON: the text stored, hashed and sent, never parsed on the way. */
  payloadJson: string;
  senderId: string | null;
  clientMsgId: string | null;
  hash: string;
}

export function eventFromRow(row: TaskEventRow): StoredEvent {
  return {
    taskId: row.task_id,
    seq: Number(row.seq),
    type: row.type as PersistedType,
    timestamp: row.created_at,
    payloadJson: row.payload,
    senderId: row.sender_id,
    clientMsgId: row.client_msg_id,
    hash: row.hash,
  };
}

/** Stores one event (a statement of every relayed message, hence prepared). */
export const insertEvent = preparedQuery('insertEvent', (db, p: TaskEventRow) =>
  db.insertInto('task_events').values({
    task_id: p.task_id,
    seq: p.seq,
    type: p.type,
    payload: p.payload,
    sender_id: p.sender_id,
    client_msg_id: p.client_msg_id,
    created_at: p.created_at,
    hash: p.hash,
  }),
);

/** The event a client message id was stored under (a re-send's original). */
export const eventByClientId = preparedQuery('eventByClientId', (db, p: { taskId: string; clientMsgId: string }) =>
  db.selectFrom('task_events').selectAll().where('task_id', '=', p.taskId).where('client_msg_id', '=', p.clientMsgId),
);

/** Events with seq > after, ascending (at most `limit`). */
export async function eventsAfter(
  db: Kysely<Database>,
  taskId: string,
  after: number,
  limit = 500,
): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('task_events')
    .selectAll()
    .where('task_id', '=', taskId)
    .where('seq', '>', after)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
  return rows.map(eventFromRow);
}
