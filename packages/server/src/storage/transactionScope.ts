import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseConnection, Dialect, Driver, TransactionSettings } from 'kysely';

/**
 * Knows whether the running code is inside the work of a storage transaction, so that a query
 * through the storage's own handle there fails at once instead of hanging. On SQLite such a
 * query waits for the one connection, which the transaction holds until that very work ends;
 * on PostgreSQL it would run on another connection, outside the transaction, and could wait on
 * the row lock the transaction holds. Either way it is a bug in the caller.
 */
export class TransactionScope {
  private readonly inside = new AsyncLocalStorage<true>();

  /** Runs `work` (and everything it starts) inside the scope. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.inside.run(true, work);
  }

  /** Throws when called inside the scope: a new connection was asked for there. */
  refuseInside(): void {
    if (this.inside.getStore()) throw new WrongHandleError();
  }
}

export class WrongHandleError extends Error {
  constructor() {
    super(
      "A query went through storage.db inside a transaction's work: use the transaction's own handle " +
        '(`trx` of a task transaction). On SQLite it would wait forever for the connection the transaction holds.',
    );
    this.name = 'WrongHandleError';
  }
}

/** A dialect whose driver refuses to hand out a connection inside `scope` (see TransactionScope). */
export function guardDialect(dialect: Dialect, scope: TransactionScope): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver(), scope),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

class GuardedDriver implements Driver {
  readonly savepoint: Driver['savepoint'];
  readonly rollbackToSavepoint: Driver['rollbackToSavepoint'];
  readonly releaseSavepoint: Driver['releaseSavepoint'];

  constructor(
    private readonly inner: Driver,
    private readonly scope: TransactionScope,
  ) {
    this.savepoint = inner.savepoint?.bind(inner);
    this.rollbackToSavepoint = inner.rollbackToSavepoint?.bind(inner);
    this.releaseSavepoint = inner.releaseSavepoint?.bind(inner);
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    try {
      this.scope.refuseInside();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.inner.acquireConnection();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
