import { isPastExpiry, nextRequestState, type RequestState } from '@codevf/protocol/shared';
import type { LocalEntry, LocalRequest, Phase, Request, SessionState, Summary, Tone } from './sessionState';

/** Changes to the screen's own state, shared by the frame handler and the UI reducer. */

export function endWith(state: SessionState, summary: Summary): SessionState {
  if (state.summary) return state;
  const local = { ...state.local };
  for (const id of state.promptQueue) local[id] = { ...local[id], status: 'expired' };
  // Nobody to rate when no engineer ever joined (e.g. cancelled while queued).
  const phase: Phase = summary.engineer ? 'rating' : 'done';
  return { ...state, summary, local, promptQueue: [], screenshare: null, askKeepWaiting: false, phase };
}

/** Our message reached the server as event `seq`; once its echo is in the view, the view shows it. */
export function onAck(state: SessionState, id: string, seq: number | null): SessionState {
  const mine = (e: LocalEntry) => e.kind === 'message' && e.localId === id;
  if (!state.localEntries.some(mine)) return state;
  if (seq !== null && state.view.items.some((i) => i.kind === 'message' && i.seq === seq)) {
    return { ...state, localEntries: state.localEntries.filter((e) => !mine(e)) };
  }
  const localEntries = state.localEntries.map((e) =>
    e.kind === 'message' && e.localId === id ? { ...e, pending: false, seq: seq ?? undefined } : e,
  );
  return { ...state, localEntries };
}

export function addSystem(state: SessionState, at: string, text: string, tone: Tone): SessionState {
  const key = `sys:${state.localEntries.length}:${at}`;
  return {
    ...state,
    localEntries: [...state.localEntries, { kind: 'system', key, at, text, tone, afterSeq: state.view.lastSeq }],
  };
}

/** Requests waiting on the customer, in arrival order (file requests join once checked). */
export function syncPromptQueue(state: SessionState): SessionState {
  const waiting = Object.values(state.requests)
    .filter((r) => r.status === 'pending')
    .map((r) => r.requestId);
  const kept = state.promptQueue.filter((id) => waiting.includes(id));
  for (const id of waiting) if (!kept.includes(id)) kept.push(id);
  // A new question starts with an empty answer.
  if (kept[0] !== state.promptQueue[0])
    return { ...state, promptQueue: kept, confirmDraft: '', confirmMismatch: false };
  return { ...state, promptQueue: kept };
}

/**
 * Records what this machine learnt about request `requestId`; `fn` sees the request as shown
 * and its local part, and returns the new local part (the same object for no change).
 */
export function updateRequest(
  state: SessionState,
  requestId: string,
  fn: (r: Request, local: LocalRequest) => LocalRequest,
): SessionState {
  const r = state.requests[requestId];
  if (!r) return state;
  const current = state.local[requestId] ?? {};
  const next = fn(r, current);
  if (next === current) return state;
  return { ...state, local: { ...state.local, [requestId]: next } };
}

/** Fail closed: a prompt whose time ran out is gone and counts as denied, whatever the socket says. */
export function expireOverdue(state: SessionState): SessionState {
  let next = state;
  for (const r of Object.values(state.requests)) {
    if (isPastExpiry(r.deadline, state.now)) next = updateRequest(next, r.requestId, expired);
  }
  return next;
}

/** The request's place in the protocol's lifecycle; null for the states only this machine has. */
function lifecycleState(r: Request): RequestState | null {
  if (r.status === 'checking') return 'pending';
  if (r.status === 'refused' || r.status === 'failed') return null;
  return r.status;
}

/** The state after the customer's decision, or null when the request is no longer open to one. */
export function decided(r: Request, approved: boolean): 'approved' | 'denied' | null {
  const state = lifecycleState(r);
  const next = state && nextRequestState(state, 'decide', approved);
  return next === 'approved' || next === 'denied' ? next : null;
}

/** The request expired (counts as denied) if it was still open to a decision; else unchanged. */
export function expired(r: Request, local: LocalRequest): LocalRequest {
  const state = lifecycleState(r);
  return state && nextRequestState(state, 'expire') === 'expired' ? { ...local, status: 'expired' } : local;
}
