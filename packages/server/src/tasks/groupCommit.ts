import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema';
import { sqliteHandleOf } from '../storage/storage';

interface Job {
  work: (trx: Kysely<Database>) => Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
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
 * The transaction is run on the better-sqlite3 handle itself, not through Kysely's transaction
 * wrapper, whose promise layers and objects per BEGIN and COMMIT were a tenth of the relay's
 * garbage (BENCHMARKS.md, eighth round). Kysely's single connection is held for the whole
 * batch all the same, so no other query of this process can land inside the transaction.
 * BEGIN IMMEDIATE takes SQLite's write lock before the first read: the jobs read the task row
 * and then write, and a deferred transaction would fail (SQLITE_BUSY_SNAPSHOT) if another
 * process — `codevf-server` granting credits — committed in between.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private draining = false;
  private held: { conn: Kysely<Database>; sqlite: SQLite.Database } | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  /** Runs `work` inside a shared transaction; resolves with its value once committed. */
  run<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let value: T;
      this.queue.push({
        work: async (trx) => {
          value = await work(trx);
        },
        resolve: () => resolve(value),
        reject,
      });
      if (!this.draining) void this.drain();
    });
  }

  /**
   * Kysely bound to SQLite's connection (Kysely's SQLite driver has exactly one), for the jobs'
   * queries, and the better-sqlite3 handle under it. Made once: `db.connection()` builds a new
   * instance per call, with more garbage than the rest of a batch's transaction. Used only
   * while runBatch holds the connection.
   */
  private async connection(): Promise<{ conn: Kysely<Database>; sqlite: SQLite.Database }> {
    if (!this.held) {
      const conn = await this.db.connection().execute(async (c) => c);
      const sqlite = sqliteHandleOf(conn);
      if (!sqlite) throw new Error('GroupCommit needs an SQLite storage');
      this.held = { conn, sqlite };
    }
    return this.held;
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
    const errors = new Map<Job, unknown>();
    try {
      const { conn, sqlite } = await this.connection();
      const exec = (text: string) => sqlite.prepare(text).run();
      // Holds the connection's mutex for the whole batch, as any Kysely query of this process
      // would for its own statement.
      await this.db.getExecutor().provideConnection(async () => {
        exec('BEGIN IMMEDIATE');
        try {
          // One job alone needs no savepoint: if it throws, rolling back the transaction undoes
          // exactly its writes.
          if (batch.length === 1 && batch[0]) await batch[0].work(conn);
          else {
            for (const job of batch) {
              exec('SAVEPOINT job');
              try {
                await job.work(conn);
              } catch (err) {
                // This throws in turn when the transaction itself is gone (an I/O error rolled it
                // back): then nothing of the batch is committed and every job fails below.
                exec('ROLLBACK TO job');
                errors.set(job, err);
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
      });
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    for (const job of batch) {
      if (errors.has(job)) job.reject(errors.get(job));
      else job.resolve();
    }
  }
}

const committers = new WeakMap<Kysely<Database>, GroupCommit>();

/** The group committer of an SQLite database (one per Kysely instance). */
export function groupCommitOf(db: Kysely<Database>): GroupCommit {
  let gc = committers.get(db);
  if (!gc) {
    gc = new GroupCommit(db);
    committers.set(db, gc);
  }
  return gc;
}
