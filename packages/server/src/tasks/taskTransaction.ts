import type { EventPayload, PersistedType } from '@codevf/protocol';
import type { Kysely } from 'kysely';
import { canonicalJson, eventHash } from '../audit/hashChain';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { type PreparedRunner, preparedQuery } from '../storage/preparedQuery';
import type { Database, TaskHead, TaskRow } from '../storage/schema';
import type { StorageTx } from '../storage/storage';
import { eventByClientId, eventFromRow, insertEvent, type StoredEvent } from './eventLog';

export type { TaskHead };

/** What a task transaction needs of the app: where to commit, and where the committed events go. */
export type TaskDeps = Pick<AppContext, 'storage' | 'events'>;

type TaskChanges = Partial<Omit<TaskRow, 'id'>>;

/** An UPDATE of the given columns of a task (optionally only in a given state), prepared once per shape. */
function updateTaskQuery(columns: readonly string[], guarded: boolean) {
  const name = `updateTask:${columns.join(',')}${guarded ? ':ifStatus' : ''}`;
  return preparedQuery(name, (db, p: TaskChanges & { taskId: string; ifStatus?: TaskRow['status'] }) => {
    const values = p as Record<string, unknown>;
    const set = Object.fromEntries(columns.map((c) => [c, values[c]])) as TaskChanges;
    const update = db.updateTable('tasks').set(set).where('id', '=', p.taskId);
    return guarded ? update.where('status', '=', p.ifStatus as TaskRow['status']) : update;
  });
}

/** The chain head after a transaction's appends (once per relayed message, hence its own statement). */
const saveHead = preparedQuery('saveHead', (db, p: Pick<TaskHead, 'id' | 'last_seq' | 'head_hash'>) =>
  db.updateTable('tasks').set({ last_seq: p.last_seq, head_hash: p.head_hash }).where('id', '=', p.id),
);

/**
 * A transaction that holds the task's row lock. Every change to a task and every event append
 * goes through one, so all of a task's state transitions are serialised — across instances too,
 * because the lock is PostgreSQL's row lock (SQLite has a single writer anyway).
 */
export class TaskTx<Row extends TaskHead = TaskRow> {
  readonly events: StoredEvent[] = [];
  /** Kysely bound to the transaction: every query inside the task's work goes through it. */
  readonly trx: Kysely<Database>;

  constructor(
    private readonly storage: StorageTx,
    private readonly row: Row,
    readonly now: Date,
  ) {
    this.trx = storage.db;
  }

  /** Which database the transaction runs on. */
  get dialect(): StorageTx['dialect'] {
    return this.storage.dialect;
  }

  /** The locked task as it stands in this transaction (changed only through `update` and `append`). */
  get task(): Readonly<Row> {
    return this.row;
  }

  /**
   * Updates the task's columns (only while its status is `ifStatus`, when given); true when it
   * was updated. The locked row follows, so later rules in this transaction see the change.
   */
  async update(changes: TaskChanges, ifStatus?: TaskRow['status']): Promise<boolean> {
    const query = updateTaskQuery(Object.keys(changes), ifStatus !== undefined);
    const res = await this.storage.run(query, { ...changes, taskId: this.row.id, ifStatus });
    if (Number(res.numAffectedRows ?? 0) !== 1) return false;
    Object.assign(this.row, changes);
    return true;
  }

  /** Appends the next event: seq = last_seq + 1, hash chained to the current head. */
  async append<T extends PersistedType>(
    type: T,
    payload: EventPayload<T>,
    options: { senderId?: string | null; clientMsgId?: string | null } = {},
  ): Promise<StoredEvent> {
    // Canonical form: the stored text is exactly what the hash covered.
    const payloadJson = canonicalJson(payload);
    const ev: StoredEvent = {
      taskId: this.row.id,
      seq: Number(this.row.last_seq) + 1,
      type,
      timestamp: this.now.toISOString(),
      payloadJson,
      senderId: options.senderId ?? null,
      clientMsgId: options.clientMsgId ?? null,
      hash: '',
    };
    ev.hash = eventHash(this.row.head_hash, ev, payloadJson);
    await this.storage.run(insertEvent, {
      task_id: ev.taskId,
      seq: ev.seq,
      type: ev.type,
      payload: payloadJson,
      sender_id: ev.senderId,
      client_msg_id: ev.clientMsgId,
      created_at: ev.timestamp,
      hash: ev.hash,
    });
    this.row.last_seq = ev.seq;
    this.row.head_hash = ev.hash;
    this.events.push(ev);
    return ev;
  }

  /** Runs a prepared statement in the transaction (see preparedQuery.ts); may be passed on as a function. */
  readonly run: PreparedRunner = (query, params) => this.storage.run(query, params);

  /** The event a client message id was already stored under, if any (idempotent re-send). */
  async findByClientId(clientMsgId: string): Promise<StoredEvent | undefined> {
    const { rows } = await this.storage.run(eventByClientId, { taskId: this.row.id, clientMsgId });
    return rows[0] ? eventFromRow(rows[0]) : undefined;
  }

  /** Writes the new chain head after the appends, if there were any. */
  async saveHead(): Promise<void> {
    if (this.events.length === 0) return;
    const { id, last_seq, head_hash } = this.row;
    await this.storage.run(saveHead, { id, last_seq, head_hash });
  }
}

/** Takes the task's lock inside `storage` (see StorageTx.lockTask). */
async function lockTask<Row extends TaskHead>(storage: StorageTx, taskId: string, now: Date, head: boolean) {
  const row = head ? await storage.lockTaskHead(taskId) : await storage.lockTask(taskId);
  if (!row) throw new ApiError('E_NOT_FOUND', 'No such task.');
  // The row is this call's own object: normalised in place rather than copied once more per message.
  row.last_seq = Number(row.last_seq);
  return new TaskTx<Row>(storage, row as Row, now);
}

export interface TaskChange<T, Row extends TaskHead = TaskRow> {
  value: T;
  events: StoredEvent[];
  task: Readonly<Row>;
}

/** Commits `tx`'s work, then hands its events to the app's publisher. */
async function commitAndPublish<T, Row extends TaskHead>(
  deps: TaskDeps,
  work: (storage: StorageTx) => Promise<TaskTx<Row>>,
  fn: (tx: TaskTx<Row>) => Promise<T>,
): Promise<TaskChange<T, Row>> {
  const change = await deps.storage.transaction(async (storage) => {
    const tx = await work(storage);
    const value = await fn(tx);
    await tx.saveHead();
    return { value, events: tx.events, task: tx.task };
  });
  if (change.events.length > 0) deps.events.publish(change.task.id, change.events);
  return change;
}

/**
 * Runs `fn` in a transaction holding the task's lock; commits its appends atomically and then
 * publishes them. With `'head'`, `tx.task` holds only the task's state and chain head (TaskHead).
 */
export function withTaskLock<T>(
  deps: TaskDeps,
  taskId: string,
  now: Date,
  fn: (tx: TaskTx) => Promise<T>,
): Promise<TaskChange<T>>;
export function withTaskLock<T>(
  deps: TaskDeps,
  taskId: string,
  now: Date,
  fn: (tx: TaskTx<TaskHead>) => Promise<T>,
  head: 'head',
): Promise<TaskChange<T, TaskHead>>;
export function withTaskLock<T, Row extends TaskHead>(
  deps: TaskDeps,
  taskId: string,
  now: Date,
  fn: (tx: TaskTx<Row>) => Promise<T>,
  head?: 'head',
): Promise<TaskChange<T, Row>> {
  return commitAndPublish(deps, (storage) => lockTask<Row>(storage, taskId, now, head === 'head'), fn);
}

/** Like withTaskLock for a task row inserted in the same transaction (task creation). */
export function withNewTask<T>(
  deps: TaskDeps,
  insert: (storage: StorageTx) => Promise<string>,
  now: Date,
  fn: (tx: TaskTx) => Promise<T>,
): Promise<TaskChange<T>> {
  return commitAndPublish(deps, async (storage) => lockTask<TaskRow>(storage, await insert(storage), now, false), fn);
}
