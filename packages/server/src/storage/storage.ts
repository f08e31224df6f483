import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { GroupCommit } from './groupCommit';
import { migrations } from './migrations/index';
import { bind, type PreparedQuery, type PreparedRunner } from './preparedQuery';
import type { Database } from './schema';
import { ConnectionLock, LockingSqliteDialect, runOnHandle } from './sqliteDriver';
import { cachePreparedStatements } from './statementCache';
import { type Dialect, StatementSet, type StorageTx, Transaction } from './transaction';
import { guardDialect, TransactionScope } from './transactionScope';
import {
  BACKSTOP_AUTOCHECKPOINT_PAGES,
  type CheckpointerEvents,
  DEFAULT_AUTOCHECKPOINT_PAGES,
  startWalCheckpointer,
} from './walCheckpointer';

export type { Dialect, StorageTx };

export interface Storage {
  /** The database outside any transaction (refused inside the work of `transaction`). */
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * Runs `work` in a write transaction and resolves once it has committed. On SQLite concurrent
   * ones share a commit (see GroupCommit); on PostgreSQL each is its own. Inside `work`, a query
   * through `db` instead of `tx.db` fails at once with WrongHandleError (it would hang on SQLite).
   */
  transaction<T>(work: (tx: StorageTx) => Promise<T>): Promise<T>;
  /**
   * Runs a prepared read (see preparedQuery.ts) outside any transaction, seeing what has
   * committed; refused inside the work of `transaction`, like `db`, and for a statement that writes.
   */
  read: PreparedRunner;
  /** Runs pending migrations; returns the names applied now. */
  migrate(): Promise<string[]>;
  ping(): Promise<void>;
  /**
   * SQLite: from now until close, WAL checkpoints run on a worker thread instead of inside
   * commits on the event loop (see walCheckpointer.ts). A running server wants this; one-shot
   * admin commands do not. Nothing to do on PostgreSQL.
   */
  checkpointInBackground(events?: CheckpointerEvents): void;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** PostgreSQL URL; unset → SQLite file `codevf.sqlite` in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL only: put every table in this schema (tests use a fresh one per run). */
  pgSchema?: string;
}

export function createStorage(options: StorageOptions): Storage {
  const dialect: Dialect = options.databaseUrl ? 'postgres' : 'sqlite';
  const scope = new TransactionScope();
  let kysely: Kysely<Database>;
  let sqliteFile: SQLite.Database | undefined;
  let stopCheckpointer: (() => Promise<void>) | undefined;
  let transaction: Storage['transaction'];
  let read: Storage['read'];
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      // search_path is set per connection so one database can hold isolated test schemas.
      ...(options.pgSchema ? { options: `-c search_path=${quoteIdent(options.pgSchema)}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: guardDialect(new PostgresDialect({ pool }), scope) });
    const statements = new StatementSet(db);
    kysely = db;
    read = (query, params) => {
      const statement = statements.get(query as PreparedQuery<never, unknown>);
      if (!/^\s*select\b/i.test(statement.sql)) return Promise.reject(new NotAReadError(query.name));
      return db.executeQuery(CompiledQuery.raw(statement.sql, bind(statement, params)));
    };
    // Each its own transaction, so row locks stay per task and two instances never deadlock over a batch.
    transaction = (work) =>
      db.transaction().execute((trx) => scope.run(() => work(new Transaction(trx, statements, 'postgres'))));
  } else {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const file = new SQLite(join(options.dataDir, 'codevf.sqlite'));
    sqliteFile = file;
    // WAL lets readers proceed while one writer commits; busy_timeout rides out short locks.
    file.pragma('journal_mode = WAL');
    file.pragma('foreign_keys = ON');
    file.pragma('busy_timeout = 5000');
    // A commit writes the WAL without waiting for the disk; the WAL is synced at each
    // checkpoint (see walCheckpointer.ts). A crash of this process loses nothing, a power cut
    // at most the commits since the last checkpoint, never consistency. better-sqlite3 builds
    // SQLite with this as its WAL default already; it is set here so that it is a decision
    // (FULL would put an fsync on the event loop in every commit).
    file.pragma('synchronous = NORMAL');
    cachePreparedStatements(file);
    const lock = new ConnectionLock();
    const db = new Kysely<Database>({ dialect: guardDialect(new LockingSqliteDialect(file, lock), scope) });
    const statements = new StatementSet(db);
    const committer = new GroupCommit(db, file, lock);
    // One transaction object serves every job: they all run on SQLite's one connection.
    let tx: Transaction | undefined;
    kysely = db;
    // Straight on the handle while the connection is free: the background jobs read per session
    // (the billing checks, a few hundred a second at 1,000 sessions), and through Kysely each
    // read cost a compile and a turn of promises on the relay's event loop.
    read = async (query, params) => {
      const statement = statements.get(query as PreparedQuery<never, unknown>);
      if (!file.prepare(statement.sql).reader) throw new NotAReadError(query.name);
      const values = bind(statement, params);
      if (!lock.tryLock()) await lock.lock();
      try {
        return runOnHandle(file, statement.sql, values);
      } finally {
        lock.unlock();
      }
    };
    transaction = (work) =>
      committer.run((conn) => {
        tx ??= new Transaction(conn, statements, 'sqlite', file);
        const own = tx;
        return scope.run(() => work(own));
      });
  }

  return {
    db: kysely,
    dialect,
    transaction(work) {
      try {
        // A transaction begun inside another one's work would wait for it (SQLite) or lock against it.
        scope.refuseInside();
      } catch (err) {
        return Promise.reject(err);
      }
      return transaction(work);
    },
    read(query, params) {
      try {
        scope.refuseInside();
      } catch (err) {
        return Promise.reject(err);
      }
      return read(query, params);
    },
    async migrate() {
      if (options.pgSchema) await sql`create schema if not exists ${sql.id(options.pgSchema)}`.execute(kysely);
      // migrationTableSchema: Kysely looks for its bookkeeping tables in every schema otherwise, and
      // would skip creating them here when another schema of the same database already has them.
      const migrator = new Migrator({
        db: kysely,
        provider: { getMigrations: async () => migrations },
        ...(options.pgSchema ? { migrationTableSchema: options.pgSchema } : {}),
      });
      for (let attempt = 1; ; attempt++) {
        const { error, results } = await migrator.migrateToLatest();
        if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
        if (attempt < MIGRATE_ATTEMPTS && isOtherSchemaDropped(error, options.pgSchema)) continue;
        throw error;
      }
    },
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    checkpointInBackground(events) {
      if (!sqliteFile || stopCheckpointer) return;
      const file = sqliteFile;
      stopCheckpointer = startWalCheckpointer(file.name, {
        ...events,
        onLost: () => {
          // Without the worker, SQLite checkpoints inside commits again, as by default.
          if (file.open) file.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
          events?.onLost?.();
        },
      });
      file.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    },
    async close() {
      // The worker's connection first: the last connection to close checkpoints what is left.
      await stopCheckpointer?.();
      await kysely.destroy();
    },
  };
}

/** A statement that writes, run through `Storage.read`: writes belong in a transaction. */
export class NotAReadError extends Error {
  constructor(name: string) {
    super(`prepared query ${name} writes: run it in a transaction, not through storage.read`);
    this.name = 'NotAReadError';
  }
}

/** How often migrate() starts over when another schema vanished under it (see below). */
const MIGRATE_ATTEMPTS = 10;

/**
 * Whether a failed migration is PostgreSQL's "schema … does not exist" (3F000) about a schema
 * other than ours. Kysely's migrator looks for its bookkeeping table by listing the tables of
 * every schema in the database, and a schema that someone else drops while that listing runs
 * fails it with this error: in a database shared by several tenants, or by the test files of
 * one run, each in its own schema. Nothing of ours was touched, so the migration can start
 * over. An error about our own schema is real and is reported.
 */
export function isOtherSchemaDropped(error: unknown, ownSchema: string | undefined): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== '3F000' || typeof message !== 'string') return false;
  const named = /^schema "(.+)" does not exist$/.exec(message)?.[1];
  return named !== undefined && named !== (ownSchema ?? 'public');
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`invalid schema name: ${name}`);
  return name;
}

/** True when the error is a unique-constraint violation, in either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
