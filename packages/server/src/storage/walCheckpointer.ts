import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker copies the WAL back into the database file. */
const CHECKPOINT_EVERY_MS = 250;
/** At most this many checkpoints a tick while commits keep landing (see WORKER_SOURCE). */
const MAX_PASSES = 8;
/**
 * The main connection's own automatic checkpoint while the worker runs: a backstop that only
 * fires if the worker cannot keep the WAL small (about 40 MB of pages; SQLite's default is 1,000).
 */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000;
/** SQLite's own default, restored when the worker is gone. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/**
 * The worker, as CommonJS source run with `eval`: the same text works from the TypeScript
 * sources (tests, benchmarks) and from the bundled server, with no extra file to ship.
 * PASSIVE never waits for (or blocks) the writer or readers: it copies what it can now.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
} catch (err) {
  parentPort.postMessage({ error: 'cannot open ' + workerData.file + ': ' + (err && err.message || err) });
  process.exit(1);
}
// A writer starts the WAL over from its beginning only if it finds every frame copied back.
// Under steady commits some always land while a pass copies (it syncs the WAL first), so with
// one pass a tick the WAL grew until the main connection's backstop checkpointed it on the
// event loop: about 5 ms every 2 s at 1,000 messages a second. So copy again until a pass finds
// nothing new; each copies only what landed during the one before, so they get short fast.
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
let failed = false;
let last = '';
const timer = setInterval(() => {
  try {
    let r = checkpoint();
    for (let pass = 1; pass < workerData.maxPasses; pass++) {
      const next = checkpoint();
      const caughtUp = next.checkpointed === next.log && next.log === r.checkpointed;
      r = next;
      if (caughtUp) break;
    }
    failed = false;
    // Only when the WAL changed since the last report: an idle server is not woken for nothing.
    const now = r.checkpointed + '/' + r.log;
    if (r.log > 0 && now !== last) parentPort.postMessage({ checkpointed: r.checkpointed, log: r.log });
    last = now;
  } catch (err) {
    // Report once per run of failures, not every tick.
    if (!failed) parentPort.postMessage({ error: String(err && err.message || err) });
    failed = true;
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointerEvents {
  /** A checkpoint ran: WAL frames copied so far / frames in the WAL. */
  onCheckpoint?: (r: { checkpointed: number; log: number }) => void;
  onError?: (message: string) => void;
  /** The worker ended without being asked to (it could not open the database, or crashed). */
  onLost?: () => void;
}

/**
 * SQLite in WAL mode must now and then copy the WAL back into the database file (a
 * checkpoint). By default SQLite does that inside the commit that takes the WAL past 1,000
 * pages — on the event loop, about 8 ms every few hundred commits, which was the largest
 * stall of the live relay. This runs the checkpoints on a worker thread with a connection of
 * its own instead. Returns `stop()`, which ends the worker and closes its connection.
 */
export function startWalCheckpointer(file: string, events: CheckpointerEvents = {}): () => Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file, everyMs: CHECKPOINT_EVERY_MS, maxPasses: MAX_PASSES },
  });
  // Never the reason a process stays alive; stop() is how it ends in an orderly way.
  worker.unref();
  let stopping: Promise<void> | null = null;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!stopping) events.onLost?.();
      resolve();
    }),
  );
  worker.on('message', (m: { checkpointed?: number; log?: number; error?: string }) => {
    if (m.error !== undefined) events.onError?.(m.error);
    else events.onCheckpoint?.({ checkpointed: m.checkpointed ?? 0, log: m.log ?? 0 });
  });
  worker.on('error', (err) => events.onError?.(err.message));
  return () => {
    stopping ??= (async () => {
      worker.postMessage('stop');
      await exited;
    })();
    return stopping;
  };
}
