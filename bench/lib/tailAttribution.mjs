// Where a latency tail comes from: which of the slowest samples overlap a garbage-collection
// pause of the server or of the benchmark's own client process. Times are wall-clock
// milliseconds (performance.timeOrigin + performance.now()), comparable across processes.
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
 * The slowest 1 % of `samples` ([sentAt, latencyMs]): the share overlapping a server GC pause,
 * a client GC pause, either; and the p99 of the samples not near any pause (1 ms slack: the
 * backlog a pause leaves takes about that long to clear at this load).
 */
export function attributeTail(samples, serverPauses, clientPauses, slackMs = 1) {
  const sorted = [...samples].sort((a, b) => a[1] - b[1]);
  const slow = sorted.slice(Math.floor(0.99 * sorted.length));
  const share = (test) => slow.filter(test).length / slow.length;
  const server = (s) => overlaps(s, serverPauses, slackMs);
  const client = (s) => overlaps(s, clientPauses, slackMs);
  const rest = sorted.filter((s) => !server(s) && !client(s)).map((s) => s[1]);
  return {
    slowest: slow.length,
    serverGc: share(server),
    clientGc: share(client),
    eitherGc: share((s) => server(s) || client(s)),
    p99WithoutGc: rest.length > 0 ? percentile(rest, 99) : Number.NaN,
  };
}
