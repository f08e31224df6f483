import type { Payload, TypedFrame } from '@codevf/protocol';
import type { CommandOutcome } from '../session/localWork';
import type { ConnectionState } from '../session/sessionClient';

/**
 * Everything the live screen shows, as a pure function of what happened: protocol events from
 * the server plus the customer's own actions and the results of local work. No I/O here, so
 * the whole session can be replayed in a unit test without a terminal or a socket.
 */

export type Phase =
  | 'askIssue' // bare `codevf`: "What issue are you facing?"
  | 'starting' // creating the task / first connect
  | 'live'
  | 'confirmExit' // Ctrl+C pressed: "End the session? (y/n)"
  | 'ending' // waiting for the server to confirm the end
  | 'rating' // summary shown, asking 1–5
  | 'feedback' // optional feedback text
  | 'done';

export type Tone = 'info' | 'warn' | 'error' | 'ok';

export type Entry =
  | {
      kind: 'message';
      key: string;
      at: string;
      who: 'engineer' | 'customer';
      name: string;
      text: string;
      redactions: number;
      seq?: number;
      /** Id of the customer's own message until the server acknowledged it. */
      localId?: string;
      pending?: boolean;
    }
  | { kind: 'system'; key: string; at: string; text: string; tone: Tone }
  | { kind: 'request'; key: string; requestId: string };

export type CommandStatus = 'pending' | 'approved' | 'running' | 'done' | 'denied' | 'expired' | 'failed';
export type FileStatus = 'checking' | 'pending' | 'approved' | 'sent' | 'refused' | 'denied' | 'expired' | 'failed';

export interface CommandRequest {
  kind: 'command';
  requestId: string;
  command: string;
  reason: string;
  /** Local epoch ms after which the request counts as denied (server expiry, clock-skew corrected). */
  deadline: number | null;
  status: CommandStatus;
  scope?: 'once' | 'session';
  /** Approved automatically because the customer allowed this exact command for the session. */
  auto?: boolean;
  /** Last part of the output, for the screen only (the engineer gets all of it). */
  outputTail: string;
  outputBytes: number;
  /** This process ran it (so echoes of our own output from the server are not shown again). */
  ranHere: boolean;
  exitCode?: number | null;
  signal?: string | null;
  durationMs?: number;
  truncated?: boolean;
  timedOut?: boolean;
  redactions?: number;
  error?: string;
}

export interface FileRequest {
  kind: 'file';
  requestId: string;
  path: string;
  reason: string;
  deadline: number | null;
  status: FileStatus;
  size?: number;
  sensitive?: boolean;
  /** Why the customer must type the name (safety/projectFile.ts): a secrets file, a hard link. */
  sensitiveReason?: string;
  refusedReason?: string;
  redactions?: number;
  error?: string;
}

export type Request = CommandRequest | FileRequest;

export interface Billing {
  creditsUsed: number;
  balance: number;
  ratePerMinute: number;
  minutes: number;
  lowBalance: boolean;
}

export interface Summary {
  endedBy: 'customer' | 'engineer' | 'system';
  reason: string;
  engineer: string | null;
  durationSeconds: number;
  creditsUsed: number;
}

export interface SessionState {
  phase: Phase;
  taskId: string | null;
  customerName: string;
  connection: ConnectionState;
  status: 'queued' | 'active' | 'ended' | null;
  queue: { position?: number; estimatedWaitSeconds?: number } | null;
  /** The "No engineers available right now… Continue waiting? (y/n)" question is open. */
  askKeepWaiting: boolean;
  engineer: { id: string; name: string; title: string | null; online: boolean } | null;
  billing: Billing | null;
  entries: Entry[];
  requests: Record<string, Request>;
  /** Request ids waiting for the customer, oldest first; the first one owns the keyboard. */
  promptQueue: string[];
  screenshare: { url: string; opened: boolean } | null;
  draft: string;
  /** What the customer typed to confirm a sensitive file (its name). */
  confirmDraft: string;
  confirmMismatch: boolean;
  summary: Summary | null;
  rating: number | null;
  feedbackDraft: string;
  ratingSaved: boolean;
  /** Server clock minus local clock, from the welcome frame; corrects request deadlines. */
  skewMs: number;
  /** Local epoch ms; advanced by `tick` so countdowns render without reading the clock. */
  now: number;
  /** Seq of the server's head when it welcomed us: replay is complete once we reach it. */
  replayUntil: number;
  lastSeq: number;
  notice: { text: string; tone: Tone } | null;
}

export type Action =
  | { type: 'frame'; frame: TypedFrame; now: number }
  | { type: 'connection'; state: ConnectionState }
  | {
      type: 'taskCreated';
      taskId: string;
      status: 'queued' | 'active' | 'ended';
      queuePosition?: number;
      estimatedWaitSeconds?: number;
    }
  | { type: 'issueSubmitted' }
  | { type: 'draft'; text: string }
  | { type: 'confirmDraft'; text: string }
  | { type: 'confirmMismatch' }
  | { type: 'chatSent'; localId: string; text: string; redactions: number; at: string }
  | { type: 'ack'; id: string; seq: number | null }
  | { type: 'sendFailed'; localId: string; reason: string }
  | { type: 'decided'; requestId: string; approved: boolean; scope?: 'once' | 'session'; auto?: boolean }
  | { type: 'decisionRefused'; requestId: string; reason: string }
  | { type: 'commandStarted'; requestId: string }
  | { type: 'commandOutput'; requestId: string; data: string }
  | ({ type: 'commandFinished'; requestId: string } & CommandOutcome)
  | { type: 'fileChecked'; requestId: string; size: number; sensitive: boolean; sensitiveReason?: string }
  | { type: 'fileRefused'; requestId: string; reason: string }
  | { type: 'fileSent'; requestId: string; size: number; redactions: number }
  | { type: 'fileFailed'; requestId: string; reason: string }
  | { type: 'screenshareOpened' }
  | { type: 'screenshareDismissed' }
  | { type: 'askKeepWaiting' }
  | { type: 'keepWaiting' }
  | { type: 'tick'; now: number }
  | { type: 'ctrlC' }
  | { type: 'cancelExit' }
  | { type: 'endRequested' }
  | { type: 'ended'; summary: Summary }
  | { type: 'rated'; rating: number }
  | { type: 'feedbackDraft'; text: string }
  | { type: 'ratingSaved' }
  | { type: 'finish' }
  | { type: 'notice'; text: string; tone: Tone }
  | { type: 'system'; text: string; tone: Tone; at: string };

const OUTPUT_TAIL_CHARS = 4_000;

export function initialSessionState(init: { customerName: string; now: number; askIssue?: boolean }): SessionState {
  return {
    phase: init.askIssue ? 'askIssue' : 'starting',
    taskId: null,
    customerName: init.customerName,
    connection: { kind: 'connecting' },
    status: null,
    queue: null,
    askKeepWaiting: false,
    engineer: null,
    billing: null,
    entries: [],
    requests: {},
    promptQueue: [],
    screenshare: null,
    draft: '',
    confirmDraft: '',
    confirmMismatch: false,
    summary: null,
    rating: null,
    feedbackDraft: '',
    ratingSaved: false,
    skewMs: 0,
    now: init.now,
    replayUntil: 0,
    lastSeq: 0,
    notice: null,
  };
}

/** The request the customer is being asked about right now, if any. */
export function activePrompt(state: SessionState): Request | null {
  const id = state.promptQueue[0];
  return id ? (state.requests[id] ?? null) : null;
}

/** Whole seconds left before a request expires (null when the server gave no expiry). */
export function secondsLeft(request: Request, now: number): number | null {
  if (request.deadline === null) return null;
  return Math.max(0, Math.ceil((request.deadline - now) / 1000));
}

export function sessionReducer(state: SessionState, action: Action): SessionState {
  switch (action.type) {
    case 'frame':
      return onFrame(state, action.frame, action.now);
    case 'connection':
      return { ...state, connection: action.state };
    case 'taskCreated':
      return {
        ...state,
        taskId: action.taskId,
        status: action.status,
        phase: state.phase === 'starting' || state.phase === 'askIssue' ? 'live' : state.phase,
        queue:
          action.status === 'queued'
            ? { position: action.queuePosition, estimatedWaitSeconds: action.estimatedWaitSeconds }
            : state.queue,
      };
    case 'issueSubmitted':
      return { ...state, phase: 'starting', draft: '' };
    case 'draft':
      return { ...state, draft: action.text };
    case 'confirmDraft':
      return { ...state, confirmDraft: action.text, confirmMismatch: false };
    case 'confirmMismatch':
      return { ...state, confirmMismatch: true };
    case 'chatSent':
      return {
        ...state,
        draft: '',
        entries: [
          ...state.entries,
          {
            kind: 'message',
            key: `local:${action.localId}`,
            at: action.at,
            who: 'customer',
            name: 'You',
            text: action.text,
            redactions: action.redactions,
            localId: action.localId,
            pending: true,
          },
        ],
      };
    case 'ack':
      return onAck(state, action.id, action.seq);
    case 'sendFailed':
      return {
        ...state,
        entries: state.entries.map((e) =>
          e.kind === 'message' && e.localId === action.localId ? { ...e, pending: false } : e,
        ),
        notice: { text: `Message not delivered: ${action.reason}`, tone: 'error' },
      };
    case 'decided':
      return updateRequest(state, action.requestId, (r) => {
        if (r.status !== 'pending') return r;
        if (r.kind === 'command') {
          return { ...r, status: action.approved ? 'approved' : 'denied', scope: action.scope, auto: action.auto };
        }
        return { ...r, status: action.approved ? 'approved' : 'denied' };
      });
    case 'decisionRefused':
      return updateRequest(state, action.requestId, (r) =>
        r.kind === 'command'
          ? { ...r, status: 'expired', error: action.reason }
          : { ...r, status: 'expired', error: action.reason },
      );
    case 'commandStarted':
      return updateCommand(state, action.requestId, (r) => ({ ...r, status: 'running', ranHere: true }));
    case 'commandOutput':
      return updateCommand(state, action.requestId, (r) => ({
        ...r,
        outputTail: tail(r.outputTail + action.data),
        outputBytes: r.outputBytes + Buffer.byteLength(action.data),
      }));
    case 'commandFinished':
      return updateCommand(state, action.requestId, (r) => ({
        ...r,
        status: action.error ? 'failed' : 'done',
        exitCode: action.exitCode,
        signal: action.signal,
        durationMs: action.durationMs,
        truncated: action.truncated,
        timedOut: action.timedOut,
        redactions: action.redactions,
        error: action.error,
      }));
    case 'fileChecked':
      return updateFile(state, action.requestId, (r) =>
        r.status === 'checking'
          ? {
              ...r,
              status: 'pending',
              size: action.size,
              sensitive: action.sensitive,
              sensitiveReason: action.sensitiveReason,
            }
          : r,
      );
    case 'fileRefused':
      return updateFile(state, action.requestId, (r) =>
        r.status === 'checking' || r.status === 'pending'
          ? { ...r, status: 'refused', refusedReason: action.reason }
          : r,
      );
    case 'fileSent':
      return updateFile(state, action.requestId, (r) => ({
        ...r,
        status: 'sent',
        size: action.size,
        redactions: action.redactions,
      }));
    case 'fileFailed':
      return updateFile(state, action.requestId, (r) => ({ ...r, status: 'failed', error: action.reason }));
    case 'screenshareOpened':
      return { ...state, screenshare: state.screenshare ? { ...state.screenshare, opened: true } : null };
    case 'screenshareDismissed':
      return { ...state, screenshare: null };
    case 'askKeepWaiting':
      return state.status === 'queued' ? { ...state, askKeepWaiting: true } : state;
    case 'keepWaiting':
      return { ...state, askKeepWaiting: false };
    case 'tick':
      return expireOverdue({ ...state, now: action.now });
    case 'ctrlC':
      if (state.phase === 'live') return { ...state, phase: 'confirmExit' };
      return state;
    case 'cancelExit':
      return state.phase === 'confirmExit' ? { ...state, phase: 'live' } : state;
    case 'endRequested':
      return { ...state, phase: 'ending', askKeepWaiting: false };
    case 'ended':
      return endWith(state, action.summary);
    case 'rated':
      return { ...state, rating: action.rating, phase: 'feedback' };
    case 'feedbackDraft':
      return { ...state, feedbackDraft: action.text };
    case 'ratingSaved':
      return { ...state, ratingSaved: true, phase: 'done' };
    case 'finish':
      return { ...state, phase: 'done' };
    case 'notice':
      return { ...state, notice: { text: action.text, tone: action.tone } };
    case 'system':
      return addSystem(state, action.at, action.text, action.tone);
  }
}

function onFrame(state: SessionState, f: TypedFrame, now: number): SessionState {
  // Countdowns of a request that just arrived start from now, not from the last tick.
  if (now > state.now) state = { ...state, now };
  if (f.seq !== undefined) {
    if (f.seq <= state.lastSeq) return state;
    state = { ...state, lastSeq: f.seq };
  }
  switch (f.type) {
    case 'welcome': {
      const p = f.payload as Payload<'welcome'>;
      const serverNow = Date.parse(f.timestamp);
      return {
        ...state,
        taskId: p.taskId,
        status: p.status,
        replayUntil: p.lastSeq,
        skewMs: Number.isNaN(serverNow) ? 0 : serverNow - now,
        phase: state.phase === 'starting' ? 'live' : state.phase,
      };
    }
    case 'task_status': {
      const p = f.payload as Payload<'task_status'>;
      return {
        ...state,
        status: p.status,
        queue:
          p.status === 'queued' ? { position: p.queuePosition, estimatedWaitSeconds: p.estimatedWaitSeconds } : null,
        askKeepWaiting: p.status === 'queued' ? state.askKeepWaiting : false,
      };
    }
    case 'engineer_connected': {
      const p = f.payload as Payload<'engineer_connected'>;
      const again = state.engineer?.id === p.engineer.id;
      const title = p.engineer.title ? ` (${p.engineer.title})` : '';
      return addSystem(
        { ...state, engineer: { ...p.engineer, online: true }, status: 'active', queue: null, askKeepWaiting: false },
        f.timestamp,
        again ? `${p.engineer.name} is back.` : `Engineer connected: ${p.engineer.name}${title}`,
        'ok',
      );
    }
    case 'engineer_disconnected': {
      if (!state.engineer) return state;
      return addSystem(
        { ...state, engineer: { ...state.engineer, online: false } },
        f.timestamp,
        `${state.engineer.name} lost the connection; waiting for them to come back.`,
        'warn',
      );
    }
    case 'engineer_message': {
      const p = f.payload as Payload<'engineer_message'>;
      return addEntry(state, {
        kind: 'message',
        key: `seq:${f.seq ?? state.entries.length}`,
        at: f.timestamp,
        who: 'engineer',
        name: state.engineer?.name ?? 'Engineer',
        text: p.text,
        redactions: 0,
        seq: f.seq,
      });
    }
    case 'customer_message': {
      const p = f.payload as Payload<'customer_message'>;
      // Our own message coming back: already on screen if this process sent it.
      if (f.seq !== undefined && state.entries.some((e) => e.kind === 'message' && e.seq === f.seq)) return state;
      if (f.id && state.entries.some((e) => e.kind === 'message' && e.localId === f.id)) {
        return onAck(state, f.id, f.seq ?? null);
      }
      return addEntry(state, {
        kind: 'message',
        key: `seq:${f.seq ?? state.entries.length}`,
        at: f.timestamp,
        who: 'customer',
        name: 'You',
        text: p.text,
        redactions: p.redactions ?? 0,
        seq: f.seq,
      });
    }
    case 'request_command': {
      const p = f.payload as Payload<'request_command'>;
      if (!p.requestId || state.requests[p.requestId]) return state;
      const req: CommandRequest = {
        kind: 'command',
        requestId: p.requestId,
        command: p.command,
        reason: p.reason,
        deadline: deadlineOf(p.expiresAt, state.skewMs),
        status: 'pending',
        outputTail: '',
        outputBytes: 0,
        ranHere: false,
      };
      return addRequest(state, req);
    }
    case 'request_file': {
      const p = f.payload as Payload<'request_file'>;
      if (!p.requestId || state.requests[p.requestId]) return state;
      const req: FileRequest = {
        kind: 'file',
        requestId: p.requestId,
        path: p.path,
        reason: p.reason,
        deadline: deadlineOf(p.expiresAt, state.skewMs),
        status: 'checking',
      };
      return addRequest(state, req);
    }
    case 'approve_command': {
      // Our decision as stored by the server (replayed after a restart, or echoed live).
      const p = f.payload as Payload<'approve_command'>;
      return updateRequest(state, p.requestId, (r) => {
        if (r.kind !== 'command' || r.status !== 'pending') return r;
        return { ...r, status: p.approved ? 'approved' : 'denied', scope: p.scope };
      });
    }
    case 'approve_file': {
      const p = f.payload as Payload<'approve_file'>;
      return updateRequest(state, p.requestId, (r) => {
        if (r.kind !== 'file' || (r.status !== 'pending' && r.status !== 'checking')) return r;
        if (p.refusedReason) return { ...r, status: 'refused', refusedReason: p.refusedReason };
        return { ...r, status: p.approved ? 'approved' : 'denied' };
      });
    }
    case 'command_output': {
      const p = f.payload as Payload<'command_output'>;
      const r = state.requests[p.requestId];
      if (r?.kind !== 'command' || r.ranHere) return state;
      return updateCommand(state, p.requestId, (c) => ({
        ...c,
        status: c.status === 'done' ? c.status : 'running',
        outputTail: tail(c.outputTail + p.data),
        outputBytes: c.outputBytes + Buffer.byteLength(p.data),
      }));
    }
    case 'command_result': {
      const p = f.payload as Payload<'command_result'>;
      const r = state.requests[p.requestId];
      if (r?.kind !== 'command' || r.ranHere) return state;
      return updateCommand(state, p.requestId, (c) => ({
        ...c,
        status: p.error ? 'failed' : 'done',
        exitCode: p.exitCode,
        signal: p.signal ?? null,
        durationMs: p.durationMs,
        truncated: p.truncated,
        timedOut: p.timedOut,
        redactions: p.redactions,
        error: p.error,
      }));
    }
    case 'file_upload': {
      const p = f.payload as Payload<'file_upload'>;
      return updateFile(state, p.requestId, (r) =>
        r.status === 'sent' ? r : { ...r, status: 'sent', size: p.size, redactions: p.redactions },
      );
    }
    case 'request_expired': {
      const p = f.payload as Payload<'request_expired'>;
      return updateRequest(state, p.requestId, (r) =>
        r.status === 'pending' || r.status === 'checking' ? ({ ...r, status: 'expired' } as Request) : r,
      );
    }
    case 'screenshare_request': {
      const p = f.payload as Payload<'screenshare_request'>;
      return addSystem(
        { ...state, screenshare: { url: p.url, opened: false } },
        f.timestamp,
        `Engineer requests screenshare: ${p.url}`,
        'info',
      );
    }
    case 'billing_update': {
      const p = f.payload as Payload<'billing_update'>;
      const lowBalance = p.warning === 'low_balance';
      const next = { ...state, billing: { ...p, lowBalance: lowBalance || (state.billing?.lowBalance ?? false) } };
      if (lowBalance && !state.billing?.lowBalance) {
        return addSystem(next, f.timestamp, `Low balance: ${p.balance} credits left.`, 'warn');
      }
      return next;
    }
    case 'session_end': {
      const p = f.payload as Payload<'session_end'>;
      return endWith(state, { endedBy: p.endedBy, reason: p.reason, ...p.summary });
    }
    case 'error': {
      const p = f.payload as Payload<'error'>;
      return { ...state, notice: { text: p.message, tone: 'error' } };
    }
    default:
      return state;
  }
}

function endWith(state: SessionState, summary: Summary): SessionState {
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

function onAck(state: SessionState, id: string, seq: number | null): SessionState {
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

function deadlineOf(expiresAt: string | undefined, skewMs: number): number | null {
  if (!expiresAt) return null;
  const t = Date.parse(expiresAt);
  return Number.isNaN(t) ? null : t - skewMs;
}

function addEntry(state: SessionState, entry: Entry): SessionState {
  return { ...state, entries: [...state.entries, entry] };
}

function addSystem(state: SessionState, at: string, text: string, tone: Tone): SessionState {
  return addEntry(state, { kind: 'system', key: `sys:${state.entries.length}:${at}`, at, text, tone });
}

function addRequest(state: SessionState, req: Request): SessionState {
  const withEntry = addEntry(
    { ...state, requests: { ...state.requests, [req.requestId]: req } },
    { kind: 'request', key: `req:${req.requestId}`, requestId: req.requestId },
  );
  return syncPromptQueue(withEntry);
}

/** Requests waiting on the customer, in arrival order (file requests join once checked). */
function syncPromptQueue(state: SessionState): SessionState {
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

function updateRequest(state: SessionState, requestId: string, fn: (r: Request) => Request): SessionState {
  const r = state.requests[requestId];
  if (!r) return state;
  const next = fn(r);
  if (next === r) return state;
  return syncPromptQueue({ ...state, requests: { ...state.requests, [requestId]: next } });
}

function updateCommand(
  state: SessionState,
  requestId: string,
  fn: (r: CommandRequest) => CommandRequest,
): SessionState {
  return updateRequest(state, requestId, (r) => (r.kind === 'command' ? fn(r) : r));
}

function updateFile(state: SessionState, requestId: string, fn: (r: FileRequest) => FileRequest): SessionState {
  return updateRequest(state, requestId, (r) => (r.kind === 'file' ? fn(r) : r));
}

/** Fail closed: a prompt whose time ran out is gone and counts as denied, whatever the socket says. */
function expireOverdue(state: SessionState): SessionState {
  let next = state;
  for (const r of Object.values(state.requests)) {
    if ((r.status === 'pending' || r.status === 'checking') && r.deadline !== null && r.deadline <= state.now) {
      next = updateRequest(next, r.requestId, (x) => ({ ...x, status: 'expired' }) as Request);
    }
  }
  return next;
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS ? text.slice(-OUTPUT_TAIL_CHARS) : text;
}
