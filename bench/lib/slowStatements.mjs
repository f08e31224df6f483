// SQLite statements that held the server's event loop. better-sqlite3 runs every statement
// synchronously, so a slow one (a commit that runs a checkpoint with its fsyncs, or one held
// up in the kernel or on the run queue) stalls every message behind it. For the benchmark's
// server process only: it wraps the driver's statement methods, at the cost of two clock reads
// per statement.
import { createRequire } from 'node:module';

/**
 * Statements that took `thresholdMs` or longer, as [start (wall clock), duration, verb], times
 * in ms, verb the statement's first word ("commit", "update" …).
 */
export function recordSlowStatements(thresholdMs = 1) {
  const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
  const Database = require('better-sqlite3');
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1'));
  probe.close();
  const stalls = [];
  for (const method of ['run', 'all', 'get']) {
    const original = statement[method];
    // The server (and Kysely) bind one array of parameters, or none: no rest array per
    // statement, which would be garbage the benchmark adds to the server it measures.
    statement[method] = function timed(params) {
      const start = performance.now();
      try {
        return params === undefined ? original.call(this) : original.call(this, params);
      } finally {
        const ms = performance.now() - start;
        if (ms >= thresholdMs) stalls.push([performance.timeOrigin + start, ms, verbOf(this.source)]);
      }
    };
  }
  return stalls;
}

const verbOf = (sql) => /^\s*(\w+)/.exec(sql)?.[1].toLowerCase() ?? '?';
