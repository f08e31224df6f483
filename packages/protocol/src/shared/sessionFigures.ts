/**
 * How a session's duration and billed minutes are written for people, in the terminal and the
 * console alike. The numbers come from the server (session_end's summary, GET /v1/tasks/:id);
 * clients only format them, with this one function, so the two can never disagree.
 */
export function formatSessionDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const mins = rest === 0 ? `${m} min` : `${m} min ${rest} s`;
  if (h === 0) return mins;
  return m === 0 && rest === 0 ? `${h} h` : `${h} h ${mins}`;
}

/** `3 minutes` — the minutes charged under the billing rule (never rounded: the server counted them). */
export function formatBilledMinutes(billedMinutes: number): string {
  return `${billedMinutes} minute${billedMinutes === 1 ? '' : 's'}`;
}
