import type { ErrorCode } from '../errors';

/**
 * The life of an engineer's request (a command or a file), defined once for the server, the CLI
 * and the console (docs/PROTOCOL.md §3.7):
 *
 *   pending ──decide──▶ approved ──use──▶ running ──use──▶ … ──finish──▶ completed
 *          ├─decide──▶ denied
 *          ├─expire──▶ expired       (no decision in time: counts as denied; nothing after it)
 *          └─end─────▶ unanswered    (the session ended while it was pending)
 *
 * A decision is made once; output and files exist only for an approved request. The server
 * stores `pending`, `approved`, `denied`, `expired` and `completed`; `running` (output has
 * started) and `unanswered` are what a client can tell from the events. Zod-free.
 */
export type StoredRequestState = 'pending' | 'approved' | 'denied' | 'expired' | 'completed';
export type RequestState = StoredRequestState | 'running' | 'unanswered';
export type RequestAction = 'decide' | 'expire' | 'use' | 'finish' | 'end';

export type Transition = { ok: true } | { ok: false; code: ErrorCode; message: string };

/** Whether `action` may happen to a request in `state`, with the error code the server answers if not. */
export function checkTransition(state: RequestState, action: RequestAction): Transition {
  if (state === 'expired') {
    return { ok: false, code: 'E_REQUEST_EXPIRED', message: 'The request expired; it counts as denied.' };
  }
  switch (action) {
    case 'decide':
    case 'expire':
    case 'end':
      // An expiry stored before the session ended may be replayed after it (`unanswered`).
      return state === 'pending' || (action === 'expire' && state === 'unanswered')
        ? { ok: true }
        : { ok: false, code: 'E_CONFLICT', message: `The request was already ${state}.` };
    case 'use':
    case 'finish':
      if (state === 'approved' || state === 'running') return { ok: true };
      if (state === 'pending' || state === 'unanswered')
        return { ok: false, code: 'E_FORBIDDEN', message: 'The request has not been approved.' };
      if (state === 'denied') return { ok: false, code: 'E_FORBIDDEN', message: 'The request was denied.' };
      return { ok: false, code: 'E_CONFLICT', message: 'The request is already completed.' };
  }
}

/**
 * The state after `action`, or null when the action may not happen (a client ignores it; the
 * server refuses it with checkTransition's code). `approved` says how a decision went.
 */
export function nextRequestState(state: RequestState, action: RequestAction, approved = true): RequestState | null {
  if (!checkTransition(state, action).ok) return null;
  switch (action) {
    case 'decide':
      return approved ? 'approved' : 'denied';
    case 'expire':
      return 'expired';
    case 'end':
      return 'unanswered';
    case 'use':
      return 'running';
    case 'finish':
      return 'completed';
  }
}

/** A request still waiting for the customer's decision. */
export function isAwaitingDecision(state: RequestState): boolean {
  return state === 'pending';
}

/**
 * Whether a pending request's time is up at `now` (epoch ms). Fail closed: from its expiry on,
 * a request counts as denied even before the server's `request_expired` arrives.
 */
export function isPastExpiry(expiresAtMs: number | null, now: number): boolean {
  return expiresAtMs !== null && expiresAtMs <= now;
}
