import { isPastExpiry, nextRequestState, type RequestState } from '@codevf/protocol/shared';
import type { CommandRequest, Entry, FileRequest, Phase, Request, SessionState, Summary, Tone } from './sessionState';

/** State changes shared by the frame fold and the UI reducer. */

const OUTPUT_TAIL_CHARS = 4_000;

export function endWith(state: SessionState, summary: Summary): SessionState {
  if (state.summary) return state;
  const requests = { ...state.requests };
  for (const id of state.promptQueue) {
    const r = requests[id];
    if (r) requests[id] = { ...r, status: 'expired' } as Request;
  }
  // Nobody to rate when no engineer ever joined (e.g. cancelled while queued).
  const phase: Phase = summary.engineer ? 'rating' : 'done';
  return {
    ...state,
    status: 'ended',
    summary,
    requests,
    promptQueue: [],
    screenshare: null,
    askKeepWaiting: false,
    phase,
  };
}

export function onAck(state: SessionState, id: string, seq: number | null): SessionState {
  const idx = state.entries.findIndex((e) => e.kind === 'message' && e.localId === id);
  if (idx === -1) return state;
  // The echo of our message may have arrived before the ack: keep one copy.
  if (seq !== null && state.entries.some((e, i) => i !== idx && e.kind === 'message' && e.seq === seq)) {
    return { ...state, entries: state.entries.filter((_, i) => i !== idx) };
  }
  const entries = state.entries.slice();
  const e = entries[idx] as Extract<Entry, { kind: 'message' }>;
  entries[idx] = { ...e, pending: false, seq: seq ?? undefined };
  return { ...state, entries };
}

export function deadlineOf(expiresAt: string, skewMs: number): number | null {
  if (!expiresAt) return null;
  const t = Date.parse(expiresAt);
  return Number.isNaN(t) ? null : t - skewMs;
}

export function addEntry(state: SessionState, entry: Entry): SessionState {
  return { ...state, entries: [...state.entries, entry] };
}

export function addSystem(state: SessionState, at: string, text: string, tone: Tone): SessionState {
  return addEntry(state, { kind: 'system', key: `sys:${state.entries.length}:${at}`, at, text, tone });
}

export function addRequest(state: SessionState, req: Request): SessionState {
  const withEntry = addEntry(
    { ...state, requests: { ...state.requests, [req.requestId]: req } },
    { kind: 'request', key: `req:${req.requestId}`, requestId: req.requestId },
  );
  return syncPromptQueue(withEntry);
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

export function updateRequest(state: SessionState, requestId: string, fn: (r: Request) => Request): SessionState {
  const r = state.requests[requestId];
  if (!r) return state;
  const next = fn(r);
  if (next === r) return state;
  return syncPromptQueue({ ...state, requests: { ...state.requests, [requestId]: next } });
}

export function updateCommand(
  state: SessionState,
  requestId: string,
  fn: (r: CommandRequest) => CommandRequest,
): SessionState {
  return updateRequest(state, requestId, (r) => (r.kind === 'command' ? fn(r) : r));
}

export function updateFile(state: SessionState, requestId: string, fn: (r: FileRequest) => FileRequest): SessionState {
  return updateRequest(state, requestId, (r) => (r.kind === 'file' ? fn(r) : r));
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
export function expired(r: Request): Request {
  const state = lifecycleState(r);
  return state && nextRequestState(state, 'expire') === 'expired' ? ({ ...r, status: 'expired' } as Request) : r;
}

export function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS ? text.slice(-OUTPUT_TAIL_CHARS) : text;
}
