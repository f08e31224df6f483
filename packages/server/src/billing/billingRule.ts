/**
 * The billing rule, in one place (docs/PROTOCOL.md §3.5, README "Billing"):
 *
 *   Minute k of a task spans [claimedAt + k min, claimedAt + (k+1) min). It is billed, once, if
 *   at some moment in it the customer AND a helper (a human engineer or the AI) were both
 *   connected — as a human minute if a human engineer was there with the customer at some
 *   moment of it, otherwise as an AI minute.
 *
 * Presence comes from the persisted `*_connected` / `*_disconnected` events. A participant back
 * within the grace counts as never gone (a dropped Wi-Fi does not stop the session); one not
 * back (yet) counts as gone from the moment they left, so nothing is billed for time alone.
 * Pure: the server's billing and the session end both use it, so the charge and the summary
 * can never disagree.
 */

import type { HelpKind } from '@codevf/protocol';

export type Participant = 'customer' | 'engineer';

export interface PresenceMark {
  role: Participant;
  connected: boolean;
  /** Epoch ms of the event. */
  at: number;
  /** For the engineer's marks: a human engineer or the AI (human when not said). */
  helper?: HelpKind;
}

/** Minute k of a task spans [claimedAt + k min, claimedAt + (k+1) min). */
export function minuteIndex(claimedAtMs: number, at: number): number {
  return Math.max(0, Math.floor((at - claimedAtMs) / 60_000));
}

/** Closed intervals [from, to] during which `role` was present up to `until`, short gaps bridged. */
export function presentIntervals(
  marks: readonly PresenceMark[],
  role: Participant,
  until: number,
  graceMs: number,
  helper?: HelpKind,
): [number, number][] {
  const out: [number, number][] = [];
  let since: number | null = null;
  for (const m of marks) {
    if (m.role !== role || m.at > until) continue;
    if (helper !== undefined && (m.helper ?? 'human') !== helper) continue;
    if (m.connected) {
      if (since !== null) continue;
      const last = out[out.length - 1];
      // Back within the grace: the gap counts as present.
      if (last && m.at - last[1] <= graceMs) {
        out.pop();
        since = last[0];
      } else since = m.at;
    } else if (since !== null) {
      out.push([since, m.at]);
      since = null;
    }
  }
  if (since !== null) out.push([since, until]);
  return out;
}

/** The minutes billable up to `until` (epoch ms) under the rule above, each with whose help it bills. */
export function billableMinuteHelp(
  marks: readonly PresenceMark[],
  claimedAtMs: number,
  until: number,
  graceMs: number,
): Map<number, HelpKind> {
  const customer = presentIntervals(marks, 'customer', until, graceMs);
  const minutes = new Map<number, HelpKind>();
  // The AI first: a minute a human engineer shared with the customer is a human minute.
  for (const helper of ['ai', 'human'] as const) {
    const helping = presentIntervals(marks, 'engineer', until, graceMs, helper);
    for (const [c0, c1] of customer)
      for (const [e0, e1] of helping) {
        const from = Math.max(c0, e0, claimedAtMs);
        const to = Math.min(c1, e1);
        if (from > to) continue;
        for (let k = minuteIndex(claimedAtMs, from); k <= minuteIndex(claimedAtMs, to); k++) minutes.set(k, helper);
      }
  }
  return minutes;
}

/** The minute indices billable up to `until` (epoch ms) under the rule above, ascending. */
export function billableMinutes(
  marks: readonly PresenceMark[],
  claimedAtMs: number,
  until: number,
  graceMs: number,
): number[] {
  return [...billableMinuteHelp(marks, claimedAtMs, until, graceMs).keys()].sort((a, b) => a - b);
}

/**
 * Since when the customer has been away from a session claimed at `claimedAtMs` (epoch ms), or
 * null while connected: from their last departure, or from the claim when they left before it
 * or never connected at all (`neverCame`).
 */
export function customerAbsentSince(
  marks: readonly PresenceMark[],
  claimedAtMs: number,
): { since: number; neverCame: boolean } | null {
  let last: PresenceMark | undefined;
  for (const m of marks) if (m.role === 'customer') last = m;
  if (!last) return { since: claimedAtMs, neverCame: true };
  return last.connected ? null : { since: Math.max(last.at, claimedAtMs), neverCame: false };
}

/** A session's duration: from the claim to the end (or `now` while it runs); 0 before a claim. */
export function sessionDurationSeconds(claimedAt: string | null, endedAt: string | null, now: Date): number {
  if (!claimedAt) return 0;
  const end = endedAt ? Date.parse(endedAt) : now.getTime();
  return Math.max(0, Math.floor((end - Date.parse(claimedAt)) / 1000));
}
