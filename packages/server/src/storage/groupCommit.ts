import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './schema';
import type { ConnectionLock } from './sqliteDriver';

interface Job {
  work: (trx: Kysely<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** What `work` returned, or why it failed (`failed`), until the batch has committed. */
  value?: unknown;
  failed?: boolean;
}

/** Jobs per transaction: large enough to share a commit, small enough not to hold the event loop long. */
const MAX_BATCH = 64;

/**
 * Group commit for SQLite. SQLite has one writer, so task transactions run one after another
 * anyway; paying BEGIN/COMMIT (and the WAL write of the same pages) once per message, with
 * every waiting message re-polling Kysely's connection mutex, is what limits the relay. Jobs
 * that arrive while a transaction runs are queued and then applied together in the next one,
 * in arrival order (so each task's order is kept), each inside its own SAVEPOINT: a job that
 * throws rolls back only its own writes and gets its own error. No job resolves before the
 * COMMIT that contains it succeeded; if that COMMIT fails, every job of the batch fails.
 *
 * BEGIN and COMMIT run on the better-sqlite3 handle itself, because Kysely's transaction wrapper
 * makes promises and objects per BEGIN and COMMIT that were a tenth of the relay's garbage.
 * SQLite's one connection is held for the whole batch all the same, through the storage's
 * ConnectionLock, so no other query of this process can land inside the transaction.
 * BEGIN IMMEDIATE takes SQLite's write lock before the first read: the jobs read the task row
 * and then write, and a deferred transaction would fail (SQLITE_BUSY_SNAPSHOT) if another
 * process — `codevf-server` granting credits — committed in between.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private draining = false;
  private conn: Kysely<Database> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sqlite: SQLite.Database,
    private readonly lock: ConnectionLock,
  ) {}

  /** Runs `work` inside a shared transaction; resolves with its value once committed. */
  run<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  /**
   * Kysely bound to SQLite's connection (Kysely's SQLite driver has exactly one), for the jobs'
   * queries; used only while runBatch holds the lock. Made once, because `db.connection()`
   * builds a new instance per call, with more garbage than the rest of a batch's transaction.
   */
  private async connection(): Promise<Kysely<Database>> {
    this.conn ??= await this.db.connection().execute(async (c) => c);
    return this.conn;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        // Let the event loop finish reading the sockets that are ready first: the messages
        // that came in with this one then join its batch. Each frame's callback would
        // otherwise run its transaction to the end (better-sqlite3 is synchronous) before
        // the next frame is even read, and every message would pay its own commit.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.runBatch(this.queue.splice(0, MAX_BATCH));
      }
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    try {
      const conn = this.conn ?? (await this.connection());
      const { sqlite, lock } = this;
      const exec = (text: string) => sqlite.prepare(text).run();
      if (!lock.tryLock()) await lock.lock();
      try {
        exec('BEGIN IMMEDIATE');
        try {
          // One job alone needs no savepoint: if it throws, rolling back the transaction undoes
          // exactly its writes.
          const only = batch.length === 1 ? batch[0] : undefined;
          if (only) only.value = await only.work(conn);
          else {
            for (const job of batch) {
              exec('SAVEPOINT job');
              try {
                job.value = await job.work(conn);
              } catch (err) {
                // This throws in turn when the transaction itself is gone (an I/O error rolled it
                // back): then nothing of the batch is committed and every job fails below.
                exec('ROLLBACK TO job');
                job.failed = true;
                job.value = err;
              }
              exec('RELEASE job');
            }
          }
          exec('COMMIT');
        } catch (err) {
          // SQLite may have rolled back already (some I/O and full-disk errors do).
          if (sqlite.inTransaction) exec('ROLLBACK');
          throw err;
        }
      } finally {
        lock.unlock();
      }
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    for (const job of batch) {
      if (job.failed) job.reject(job.value);
      else job.resolve(job.value);
    }
  }
}
