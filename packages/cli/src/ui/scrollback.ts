import type { Entry, Request, SessionState } from './sessionState';

/**
 * Which lines of the conversation are finished, so they can be written once into the
 * terminal's scrollback (Ink's <Static>) instead of being redrawn: a finished line never
 * changes again, and only the few unfinished ones stay in the live part at the bottom.
 */

/** A finished line as written: a request keeps the outcome it had when it was written. */
export interface WrittenLine {
  key: string;
  entry: Entry;
  request?: Request;
}

const OUTCOMES = new Set<Request['status']>(['completed', 'failed', 'denied', 'expired', 'refused']);

/**
 * A message is finished once it is the server's (our own line until the echo arrives may still
 * turn into it) or once it failed to send; a request once it has its outcome; a notice at once.
 */
export function isFinished(entry: Entry, state: SessionState): boolean {
  if (entry.kind === 'request') {
    const r = state.requests[entry.requestId];
    return r !== undefined && OUTCOMES.has(r.status);
  }
  if (entry.kind === 'message') return !entry.pending && (entry.localId === undefined || entry.seq === undefined);
  return true;
}

/** The finished entries not written yet, in the log's order. */
export function newlyFinished(state: SessionState, written: ReadonlySet<string>): WrittenLine[] {
  const out: WrittenLine[] = [];
  for (const entry of state.entries) {
    if (written.has(entry.key) || !isFinished(entry, state)) continue;
    out.push(
      entry.kind === 'request'
        ? { key: entry.key, entry, request: state.requests[entry.requestId] }
        : { key: entry.key, entry },
    );
  }
  return out;
}

/**
 * What the live part shows of the log: entries not written yet, except the request that is
 * being asked about (its prompt box shows it whole).
 */
export function liveEntries(state: SessionState, written: ReadonlySet<string>): Entry[] {
  const asking = state.promptQueue[0];
  return state.entries.filter((e) => !written.has(e.key) && !(e.kind === 'request' && e.requestId === asking));
}
