import type SQLite from 'better-sqlite3';
import { CompiledQuery, type Kysely, type QueryResult, sql } from 'kysely';
import { bind, type CompiledStatement, compileStatement, type PreparedQuery, preparedQuery } from './preparedQuery';
import type { Database, TaskHead, TaskRow } from './schema';
import { runOnHandle } from './sqliteDriver';

export type Dialect = 'sqlite' | 'postgres';

/** A write transaction of `Storage.transaction`. */
export interface StorageTx {
  /** Kysely bound to this transaction: every query of the work goes through it. */
  readonly db: Kysely<Database>;
  /** Which database it is, for the few statements the two spell differently. */
  readonly dialect: Dialect;
  /** Runs a prepared statement (see preparedQuery.ts) in this transaction. */
  run<P extends object, R>(query: PreparedQuery<P, R>, params: P): Promise<QueryResult<R>>;
  /** Reads a task and holds its lock until the transaction ends; undefined when there is no such task. */
  lockTask(taskId: string): Promise<TaskRow | undefined>;
  /** Like lockTask, reading only the task's state and chain head. */
  lockTaskHead(taskId: string): Promise<TaskHead | undefined>;
}

/** The prepared queries of one storage, by name (a name stands for one query), each compiled on first use. */
export class StatementSet {
  private readonly compiled = new Map<string, CompiledStatement>();

  constructor(private readonly db: Kysely<Database>) {}

  get(query: PreparedQuery<never, unknown>): CompiledStatement {
    let statement = this.compiled.get(query.name);
    if (!statement) {
      statement = compileStatement(this.db, query);
      this.compiled.set(query.name, statement);
    }
    return statement;
  }
}

const HEAD_COLUMNS = ['id', 'status', 'last_seq', 'head_hash'] as const;

/**
 * A task's lock. On PostgreSQL it is the row lock of `UPDATE … SET last_seq = last_seq …
 * RETURNING`: concurrent lockers (other instances too) wait, then see the committed row, so a
 * seq is never handed out twice. SQLite has a single writer and its write transactions begin
 * IMMEDIATE (see GroupCommit), so there the row only needs reading: the UPDATE was the
 * costliest statement of a relayed message.
 */
const lockTaskQueries = {
  sqlite: {
    all: preparedQuery('lockTask/sqlite', (db, p: { id: string }) =>
      db.selectFrom('tasks').selectAll().where('id', '=', p.id),
    ),
    head: preparedQuery('lockTaskHead/sqlite', (db, p: { id: string }) =>
      db.selectFrom('tasks').select(HEAD_COLUMNS).where('id', '=', p.id),
    ),
  },
  postgres: {
    all: preparedQuery('lockTask/postgres', (db, p: { id: string }) =>
      db.updateTable('tasks').set({ last_seq: sql`last_seq` }).where('id', '=', p.id).returningAll(),
    ),
    head: preparedQuery('lockTaskHead/postgres', (db, p: { id: string }) =>
      db.updateTable('tasks').set({ last_seq: sql`last_seq` }).where('id', '=', p.id).returning(HEAD_COLUMNS),
    ),
  },
};

export class Transaction implements StorageTx {
  constructor(
    readonly db: Kysely<Database>,
    private readonly statements: StatementSet,
    readonly dialect: Dialect,
    /** SQLite: the handle the transaction holds, on which prepared statements run directly. */
    private readonly sqlite?: SQLite.Database,
  ) {}

  run<P extends object, R>(query: PreparedQuery<P, R>, params: P): Promise<QueryResult<R>> {
    const statement = this.statements.get(query as PreparedQuery<never, unknown>);
    const values = bind(statement, params);
    // On SQLite directly on the handle, as Kysely's driver would run it but without its layers
    // of promises per query: those made most of the relay's garbage, and with it its GC pauses.
    if (this.sqlite) return Promise.resolve(runOnHandle<R>(this.sqlite, statement.sql, values));
    return this.db.executeQuery<R>(CompiledQuery.raw(statement.sql, values));
  }

  async lockTask(taskId: string): Promise<TaskRow | undefined> {
    return (await this.run(lockTaskQueries[this.dialect].all, { id: taskId })).rows[0];
  }

  async lockTaskHead(taskId: string): Promise<TaskHead | undefined> {
    return (await this.run(lockTaskQueries[this.dialect].head, { id: taskId })).rows[0];
  }
}
