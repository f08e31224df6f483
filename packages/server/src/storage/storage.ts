import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { migrations } from './migrations/index';
import type { Database } from './schema';
import { ConnectionLock, LockingSqliteDialect } from './sqliteDriver';
import {
  BACKSTOP_AUTOCHECKPOINT_PAGES,
  type CheckpointerEvents,
  DEFAULT_AUTOCHECKPOINT_PAGES,
  startWalCheckpointer,
} from './walCheckpointer';

export type Dialect = 'sqlite' | 'postgres';

export interface Storage {
  db: Kysely<Database>;
  dialect: Dialect;
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
  let kysely: Kysely<Database>;
  let sqliteFile: SQLite.Database | undefined;
  let stopCheckpointer: (() => Promise<void>) | undefined;
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      // search_path is set per connection so one database can hold isolated test schemas.
      ...(options.pgSchema ? { options: `-c search_path=${quoteIdent(options.pgSchema)}` } : {}),
    });
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
    kysely = new Kysely<Database>({ dialect: new LockingSqliteDialect(file, lock) });
    sqliteHandles.set(kysely.getExecutor().adapter, file);
    sqliteLocks.set(kysely, lock);
  }

  dialects.set(kysely, dialect);
  return {
    db: kysely,
    dialect,
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

/**
 * Kysely's SQLite driver prepares every statement anew; on the live relay's hot path (six
 * statements per message) that parsing dominates. Statements are reusable in better-sqlite3,
 * so keep them by SQL text. Bounded, because SQL text varies with `IN (...)` lists and
 * multi-row inserts: when full, the oldest entry goes (first in, first out). A hit changes
 * nothing. Reordering the Map on every use (least recently used) made it rebuild its table
 * every few statements: in the relay benchmark, over a third of all the memory that outlived
 * a young-generation GC. An evicted hot statement is only prepared once more.
 */
function cachePreparedStatements(file: SQLite.Database, max = 500): void {
  const prepare = file.prepare.bind(file);
  const cache = new Map<string, SQLite.Statement>();
  file.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    return stmt;
  }) as typeof file.prepare;
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

const dialects = new WeakMap<Kysely<Database>, Dialect>();
/** better-sqlite3 handles by Kysely adapter (a database and its transactions share one). */
const sqliteHandles = new WeakMap<object, SQLite.Database>();
const sqliteLocks = new WeakMap<Kysely<Database>, ConnectionLock>();

/** The lock on SQLite's one connection of a database opened by createStorage (see GroupCommit). */
export function sqliteLockOf(db: Kysely<Database>): ConnectionLock | undefined {
  return sqliteLocks.get(db);
}

/**
 * The better-sqlite3 handle under a transaction (or a held connection) of an SQLite storage;
 * undefined on PostgreSQL. Only for statements inside that transaction or connection: it holds
 * SQLite's single connection, so nothing else can run on the handle until it ends.
 */
export function sqliteHandleOf(trx: Kysely<Database>): SQLite.Database | undefined {
  return sqliteHandles.get(trx.getExecutor().adapter);
}

/** The dialect of a database opened by createStorage (undefined for any other Kysely instance). */
export function dialectOf(db: Kysely<Database>): Dialect | undefined {
  return dialects.get(db);
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
