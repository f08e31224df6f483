/** `[HH:MM]` in the customer's local time, as in the spec's mock-up. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--';
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min ${s} s`;
}

/** A whole-second limit as people say it: `45 s`, `5 min`, `1 min 30 s`, `1 h`. */
export function formatLimit(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds === 3600) return '1 h';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return s === 0 ? `${m} min` : `${m} min ${s} s`;
}

/** `m:ss` for countdowns. */
export function countdown(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return `${m}:${String(seconds % 60).padStart(2, '0')}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function masked(n: number | undefined): string {
  return n ? ` (${plural(n, 'value')} masked)` : '';
}

export function waitText(seconds: number): string {
  return seconds < 60 ? 'under a minute' : plural(Math.round(seconds / 60), 'minute');
}

/** `position 3 in the queue, estimated wait 5 minutes` (the parts known), or ''. */
export function queueText(position: number | undefined, estimatedWaitSeconds: number | undefined): string {
  const parts: string[] = [];
  if (position !== undefined) parts.push(`position ${position} in the queue`);
  if (estimatedWaitSeconds !== undefined) parts.push(`estimated wait ${waitText(estimatedWaitSeconds)}`);
  return parts.join(', ');
}
