import type { EventPayload, PersistedType } from '@codevf/protocol';
import { type Kysely, sql } from 'kysely';
import { canonicalJson, eventHash } from '../audit/hashChain';
import { ApiError } from '../http/errors';
import type { Database, TaskEventRow, TaskRow } from '../storage/schema';
import { dialectOf, sqliteHandleOf } from '../storage/storage';
import { groupCommitOf } from './groupCommit';
import { hotQuery } from './hotQuery';

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

/**
 * The frame every participant receives (built once per event, then cached by the task's feed):
 * JSON of {type, timestamp, payload, seq, id?}, written out around the payload's stored text
 * rather than parsing it only to serialise it again (a test holds it to JSON.stringify).
 */
export function wireOf(ev: StoredEvent): string {
  const str = JSON.stringify;
  const id = ev.clientMsgId ? `,"id":${str(ev.clientMsgId)}` : '';
  return `{"type":${str(ev.type)},"timestamp":${str(ev.timestamp)},"payload":${ev.payloadJson},"seq":${ev.seq}${id}}`;
}

/**
 * The columns of a task that the live relay's rules read: its state and the head of its event
 * chain. Message handlers lock the task with only these: reading the whole row made a dozen
 * strings per message (description, ids, dates) that nothing looked at.
 */
export type TaskHead = Pick<TaskRow, 'id' | 'status' | 'last_seq' | 'head_hash'>;
const HEAD_COLUMNS = ['id', 'status', 'last_seq', 'head_hash'] as const;

/**
 * A transaction that holds the task's row lock. Every change to a task and every event append
 * goes through one, so all of a task's state transitions are serialised — across instances too,
 * because the lock is PostgreSQL's row lock (SQLite has a single writer anyway).
 */
export class TaskTx<Row extends TaskHead = TaskRow> {
  readonly events: StoredEvent[] = [];

  constructor(
    readonly trx: Kysely<Database>,
    /** The locked row; callers that change it through `trx` update this copy as well. */
    readonly task: Row,
    readonly now: Date,
  ) {}

  /** Appends the next event: seq = last_seq + 1, hash chained to the current head. */
  async append<T extends PersistedType>(
    type: T,
    payload: EventPayload<T>,
    options: { senderId?: string | null; clientMsgId?: string | null } = {},
  ): Promise<StoredEvent> {
    // Canonical form: the stored text is exactly what the hash covered.
    const payloadJson = canonicalJson(payload);
    const ev: StoredEvent = {
      taskId: this.task.id,
      seq: Number(this.task.last_seq) + 1,
      type,
      timestamp: this.now.toISOString(),
      payloadJson,
      senderId: options.senderId ?? null,
      clientMsgId: options.clientMsgId ?? null,
      hash: '',
    };
    ev.hash = eventHash(this.task.head_hash, ev, payloadJson);
    const row = {
      task_id: ev.taskId,
      seq: ev.seq,
      type: ev.type,
      payload: payloadJson,
      sender_id: ev.senderId,
      client_msg_id: ev.clientMsgId,
      created_at: ev.timestamp,
      hash: ev.hash,
    };
    await hotQuery(this.trx, 'appendEvent', Object.values(row), () => this.trx.insertInto('task_events').values(row));
    this.task.last_seq = ev.seq;
    this.task.head_hash = ev.hash;
    this.events.push(ev);
    return ev;
  }

  /** The event a client message id was already stored under, if any (idempotent re-send). */
  async findByClientId(clientMsgId: string): Promise<StoredEvent | undefined> {
    const { rows } = await hotQuery(this.trx, 'eventByClientId', [this.task.id, clientMsgId], () =>
      this.trx
        .selectFrom('task_events')
        .selectAll()
        .where('task_id', '=', this.task.id)
        .where('client_msg_id', '=', clientMsgId),
    );
    return rows[0] ? eventFromRow(rows[0]) : undefined;
  }
}

/**
 * Takes the task's lock inside `trx`. On PostgreSQL that is the row lock of
 * `UPDATE … SET last_seq = last_seq … RETURNING`: concurrent lockers (other instances too)
 * wait, then see the committed row — so a seq is never handed out twice. SQLite has a single
 * writer, and task work runs in the group commit's transaction, which took the database's write
 * lock at BEGIN IMMEDIATE (see GroupCommit): the row only needs reading. The UPDATE there was
 * the costliest statement of a relayed message.
 */
export function lockTask(trx: Kysely<Database>, taskId: string, now: Date): Promise<TaskTx>;
export function lockTask(trx: Kysely<Database>, taskId: string, now: Date, head: 'head'): Promise<TaskTx<TaskHead>>;
export async function lockTask(
  trx: Kysely<Database>,
  taskId: string,
  now: Date,
  head?: 'head',
): Promise<TaskTx<TaskHead>> {
  const { rows } = sqliteHandleOf(trx)
    ? await hotQuery<TaskHead>(trx, head ? 'readTaskHead' : 'readTask', [taskId], () => {
        const read = trx.selectFrom('tasks').where('id', '=', taskId);
        return head ? read.select(HEAD_COLUMNS) : read.selectAll();
      })
    : await hotQuery<TaskHead>(trx, head ? 'lockTaskHead' : 'lockTask', [taskId], () => {
        const lock = trx.updateTable('tasks').set({ last_seq: sql`last_seq` }).where('id', '=', taskId);
        return head ? lock.returning(HEAD_COLUMNS) : lock.returningAll();
      });
  const task = rows[0];
  if (!task) throw new ApiError('E_NOT_FOUND', 'No such task.');
  // The row is this call's own object: normalised in place rather than copied once more per message.
  task.last_seq = Number(task.last_seq);
  return new TaskTx(trx, task, now);
}

/** Writes the new chain head after the appends of `tx`. */
async function saveHead(tx: TaskTx<TaskHead>): Promise<void> {
  if (tx.events.length === 0) return;
  const { last_seq, head_hash, id } = tx.task;
  await hotQuery(tx.trx, 'saveHead', [last_seq, head_hash, id], () =>
    tx.trx.updateTable('tasks').set({ last_seq, head_hash }).where('id', '=', id),
  );
}

export interface TaskChange<T, Row extends TaskHead = TaskRow> {
  value: T;
  events: StoredEvent[];
  task: Row;
}

/**
 * A transaction for task work. On SQLite (one writer) concurrent ones share a commit (see
 * GroupCommit); on PostgreSQL each is its own transaction, so row locks stay per task and two
 * instances can never deadlock over a batch.
 */
function transact<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return dialectOf(db) === 'sqlite' ? groupCommitOf(db).run(work) : db.transaction().execute(work);
}

/**
 * Runs `fn` in a transaction holding the task's lock; commits its appends atomically. With
 * `'head'`, `tx.task` holds only the task's state and chain head (TaskHead).
 */
export function withTaskLock<T>(
  db: Kysely<Database>,
  taskId: string,
  now: Date,
  fn: (tx: TaskTx) => Promise<T>,
): Promise<TaskChange<T>>;
export function withTaskLock<T>(
  db: Kysely<Database>,
  taskId: string,
  now: Date,
  fn: (tx: TaskTx<TaskHead>) => Promise<T>,
  head: 'head',
): Promise<TaskChange<T, TaskHead>>;
export async function withTaskLock<T, Row extends TaskHead>(
  db: Kysely<Database>,
  taskId: string,
  now: Date,
  fn: (tx: TaskTx<Row>) => Promise<T>,
  head?: 'head',
): Promise<TaskChange<T, Row>> {
  return transact(db, async (trx) => {
    // The overloads pair `head` with the row type `fn` is given.
    const tx = (await (head ? lockTask(trx, taskId, now, head) : lockTask(trx, taskId, now))) as TaskTx<Row>;
    const value = await fn(tx);
    await saveHead(tx);
    return { value, events: tx.events, task: tx.task };
  });
}

/** Like withTaskLock for a task row inserted in the same transaction (task creation). */
export async function withNewTask<T>(
  db: Kysely<Database>,
  insert: (trx: Kysely<Database>) => Promise<string>,
  now: Date,
  fn: (tx: TaskTx) => Promise<T>,
): Promise<TaskChange<T>> {
  return transact(db, async (trx) => {
    const id = await insert(trx);
    const tx = await lockTask(trx, id, now);
    const value = await fn(tx);
    await saveHead(tx);
    return { value, events: tx.events, task: tx.task };
  });
}

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
