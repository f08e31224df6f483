// Where a latency tail comes from: which of the slowest samples were in flight while something
// held a process still — a garbage-collection pause of the server or of the benchmark's own
// client process, a database statement that blocked the server's event loop. Times are
// wall-clock milliseconds (performance.timeOrigin + performance.now()), comparable across
// processes.
import { PerformanceObserver } from 'node:perf_hooks';
import { percentile } from './stats.mjs';

/** This process's GC pauses as [start, duration] (ms), recorded from now for its lifetime. */
export function recordGcPauses() {
  const pauses = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push([performance.timeOrigin + e.startTime, e.duration]);
  }).observe({ entryTypes: ['gc'] });
  return pauses;
}

/** A sample [sentAt, latency] overlaps a pause, or ends within `slackMs` after one ended. */
function overlaps([at, ms], pauses, slackMs) {
  return pauses.some(([start, dur]) => start <= at + ms && start + dur + slackMs >= at);
}

/**
 * The slowest 1 % of `samples` ([sentAt, latencyMs]): per named list of pauses ([start,
 * duration]), the share of them in flight during one; the share near any; and the p99 of the
 * samples near none (1 ms slack: the backlog a pause leaves takes about that long to clear at
 * this load).
 */
export function attributeTail(samples, pausesByCause, slackMs = 1) {
  const sorted = [...samples].sort((a, b) => a[1] - b[1]);
  const slow = sorted.slice(Math.floor(0.99 * sorted.length));
  const causes = Object.entries(pausesByCause);
  const near = (s) => causes.some(([, pauses]) => overlaps(s, pauses, slackMs));
  const share = (test) => slow.filter(test).length / slow.length;
  const rest = sorted.filter((s) => !near(s)).map((s) => s[1]);
  return {
    slowest: slow.length,
    shares: Object.fromEntries(causes.map(([cause, pauses]) => [cause, share((s) => overlaps(s, pauses, slackMs))])),
    any: share(near),
    p99WithoutPauses: rest.length > 0 ? percentile(rest, 99) : Number.NaN,
  };
}
