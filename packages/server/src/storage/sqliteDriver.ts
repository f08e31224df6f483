import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteDialect,
} from 'kysely';

/**
 * Who holds SQLite's one connection. Kysely guards it with a mutex that costs a few promises
 * even when nobody else wants it (switched off here, see LockingSqliteAdapter); the live
 * relay's group commit takes it once per batch, so this one can also be taken synchronously
 * when free (`tryLock`). Waiters are served in arrival order, and `unlock` hands the lock
 * straight to the next one.
 */
export class ConnectionLock {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  /** Takes the lock if it is free, without waiting. */
  tryLock(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  /** Takes the lock, waiting for the holders before this call. */
  lock(): Promise<void> {
    if (this.tryLock()) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}

/**
 * Runs SQL text on a better-sqlite3 handle with the result Kysely's SQLite driver gives: rows
 * for a reader, the changed-row count and last rowid otherwise. Synchronous, like the handle.
 */
export function runOnHandle<R>(db: SQLite.Database, text: string, params: readonly unknown[]): QueryResult<R> {
  const stmt = db.prepare(text);
  if (stmt.reader) return { rows: stmt.all(params as unknown[]) as R[] };
  const { changes, lastInsertRowid } = stmt.run(params as unknown[]);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}

/** A better-sqlite3 handle as Kysely's connection (as Kysely's own SQLite driver runs queries). */
class SqliteConnection implements DatabaseConnection {
  constructor(private readonly db: SQLite.Database) {}

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(runOnHandle<R>(this.db, compiled.sql, compiled.parameters));
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiled.query)) throw new Error('SQLite streams only select queries');
    for (const row of this.db.prepare(compiled.sql).iterate(compiled.parameters as unknown[]))
      yield { rows: [row as R] };
  }
}

class LockingSqliteDriver implements Driver {
  private readonly connection: SqliteConnection;

  constructor(
    private readonly db: SQLite.Database,
    private readonly lock: ConnectionLock,
  ) {
    this.connection = new SqliteConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.lock();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.lock.unlock();
  }

  async destroy(): Promise<void> {
    this.db.close();
  }
}

/**
 * SQLite's adapter, except that it tells Kysely the driver may be asked for connections
 * concurrently: for a single-connection dialect Kysely puts its own mutex in front of the driver,
 * and `LockingSqliteDriver` already serializes on `ConnectionLock` (which the group commit shares).
 */
class LockingSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/**
 * Kysely's SQLite dialect on a better-sqlite3 handle, with the connection guarded by `lock`,
 * which code outside Kysely (the group commit) takes to run statements on the handle directly.
 */
export class LockingSqliteDialect extends SqliteDialect {
  constructor(
    private readonly db: SQLite.Database,
    private readonly lock: ConnectionLock,
  ) {
    super({ database: db });
  }

  override createDriver(): Driver {
    return new LockingSqliteDriver(this.db, this.lock);
  }

  override createAdapter(): DialectAdapter {
    return new LockingSqliteAdapter();
  }
}
