/** Time and number formatting shared by the pages. Pure functions: the caller passes `now`. */

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Whole seconds as a clock: `h:mm:ss` from an hour on, else minutes and `:ss` (minutes padded by `padMinutes`). */
function clock(totalSeconds: number, padMinutes: boolean): string {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${padMinutes ? pad2(m) : m}:${pad2(s)}`;
}

/**
 * Time left before a request expires, as shown on its countdown: `m:ss` (or `h:mm:ss`).
 * Never negative: once the deadline has passed it reads `0:00`.
 */
export function formatCountdown(msLeft: number): string {
  return clock(Math.max(0, Math.ceil(msLeft / 1000)), false);
}

/** Milliseconds from `now` until `iso`; NaN-safe (an unparsable date counts as already passed). */
export function msUntil(iso: string, now: number): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t - now;
}

/** A duration for people: `45 s`, `12 min`, `1 h 5 min`. Seconds below a minute only. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** A running clock for the live session header: `mm:ss` or `h:mm:ss`. */
export function formatElapsed(ms: number): string {
  return clock(Math.max(0, Math.floor(ms / 1000)), true);
}

/** How long ago, coarse: `just now`, `3 min ago`, `2 h ago`, `4 days ago`. */
export function formatAgo(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown time';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const d = Math.floor(s / 86_400);
  return d === 1 ? '1 day ago' : `${d} days ago`;
}

/** Absolute date and time in the reader's locale; the ISO text if it cannot be parsed. */
export function formatDateTime(iso: string, options: { seconds?: boolean } = {}): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: options.seconds ? 'medium' : 'short',
  });
}

/** Clock time only (chat lines): `14:05`. */
export function formatClock(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Duration of a task from its timestamps, in seconds; null while it has not started. */
export function taskDurationSeconds(
  task: { claimedAt: string | null; endedAt: string | null; durationSeconds?: number | null },
  now: number,
): number | null {
  if (!task.claimedAt) return null;
  // An ended task's duration is the server's figure, the one its summary showed the customer.
  if (task.endedAt && typeof task.durationSeconds === 'number') return task.durationSeconds;
  const start = Date.parse(task.claimedAt);
  const end = task.endedAt ? Date.parse(task.endedAt) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, Math.floor((end - start) / 1000));
}
