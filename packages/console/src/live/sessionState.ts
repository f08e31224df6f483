import type { Payload, PersistedType, TaskStatus } from '@codevf/protocol';

/**
 * Folds a task's persisted events (live frames or the stored transcript) into what the session
 * view shows: the timeline, every engineer request with its current state, billing and status.
 *
 * Pure and idempotent by `seq`: a replay after reconnecting may repeat events the view already
 * has, and those are skipped. The same fold renders the live view and the read-only transcript.
 */

export interface EventLike {
  seq: number;
  type: string;
  timestamp: string;
  payload: unknown;
}

export type RequestState =
  | 'pending' // waiting for the customer's decision
  | 'approved' // approved; the command has not produced output yet / the file is on its way
  | 'running' // output is streaming
  | 'done' // command finished (see result) or file received
  | 'denied'
  | 'expired' // no answer in time: counts as denied
  | 'unanswered'; // the session ended while it was pending

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: string;
}

interface RequestBase {
  requestId: string;
  reason: string;
  expiresAt: string | null;
  requestedAt: string;
  seq: number;
  state: RequestState;
  decidedAt?: string;
}

export interface CommandRequest extends RequestBase {
  kind: 'command';
  command: string;
  scope?: 'once' | 'session';
  output: OutputChunk[];
  result?: Omit<Payload<'command_result'>, 'requestId'>;
}

export interface FileRequest extends RequestBase {
  kind: 'file';
  path: string;
  refusedReason?: string;
  file?: Omit<Payload<'file_upload'>, 'requestId' | 'encoding'>;
}

export type EngineerRequest = CommandRequest | FileRequest;

export type TimelineItem =
  | { kind: 'message'; seq: number; at: string; from: 'engineer' | 'customer'; text: string; redactions?: number }
  | { kind: 'request'; seq: number; at: string; requestId: string }
  | { kind: 'screenshare'; seq: number; at: string; url: string }
  | { kind: 'notice'; seq: number; at: string; text: string; tone: 'info' | 'good' | 'warn' };

export interface SessionState {
  lastSeq: number;
  status: TaskStatus | null;
  queuePosition: number | null;
  engineer: Payload<'engineer_connected'>['engineer'] | null;
  engineerConnected: boolean;
  /** When the engineer first joined: the start of the session clock. */
  startedAt: string | null;
  billing: Payload<'billing_update'> | null;
  ended: (Payload<'session_end'> & { at: string }) | null;
  items: TimelineItem[];
  requests: Record<string, EngineerRequest>;
}

export function initialSessionState(): SessionState {
  return {
    lastSeq: 0,
    status: null,
    queuePosition: null,
    engineer: null,
    engineerConnected: false,
    startedAt: null,
    billing: null,
    ended: null,
    items: [],
    requests: {},
  };
}

function obj(payload: unknown): Record<string, unknown> {
  return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
}
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function updateRequest(
  state: SessionState,
  id: unknown,
  change: (r: EngineerRequest) => EngineerRequest | null,
): SessionState {
  if (typeof id !== 'string') return state;
  const current = state.requests[id];
  if (!current) return state;
  const next = change(current);
  if (!next || next === current) return state;
  return { ...state, requests: { ...state.requests, [id]: next } };
}

const OPEN: RequestState[] = ['pending'];
const STARTED: RequestState[] = ['approved', 'running'];

/** Applies one persisted event. Unknown types and events already applied leave the state as is. */
export function applyEvent(state: SessionState, event: EventLike): SessionState {
  if (event.seq <= state.lastSeq) return state;
  const s = { ...state, lastSeq: event.seq };
  const p = obj(event.payload);
  const at = event.timestamp;
  const type = event.type as PersistedType;
  const push = (item: TimelineItem): SessionState => ({ ...s, items: [...s.items, item] });

  switch (type) {
    case 'task_status': {
      const status = str(p.status) as TaskStatus;
      if (status !== 'queued' && status !== 'active' && status !== 'ended') return s;
      return { ...s, status, queuePosition: status === 'queued' ? num(p.queuePosition) : null };
    }
    case 'engineer_connected': {
      const engineer = obj(p.engineer);
      const name = str(engineer.name, 'The engineer');
      const next: SessionState = {
        ...s,
        engineer: { id: str(engineer.id), name, title: typeof engineer.title === 'string' ? engineer.title : null },
        engineerConnected: true,
        startedAt: s.startedAt ?? at,
        status: s.status === 'ended' ? s.status : 'active',
      };
      return {
        ...next,
        items: [
          ...next.items,
          { kind: 'notice', seq: event.seq, at, text: `${name} joined the session`, tone: 'good' },
        ],
      };
    }
    case 'engineer_disconnected':
      return {
        ...push({
          kind: 'notice',
          seq: event.seq,
          at,
          text: `${s.engineer?.name ?? 'The engineer'} disconnected`,
          tone: 'warn',
        }),
        engineerConnected: false,
      };
    case 'engineer_message':
    case 'customer_message': {
      const redactions = num(p.redactions);
      return push({
        kind: 'message',
        seq: event.seq,
        at,
        from: type === 'engineer_message' ? 'engineer' : 'customer',
        text: str(p.text),
        ...(redactions ? { redactions } : {}),
      });
    }
    case 'request_command':
    case 'request_file': {
      const requestId = str(p.requestId) || `seq-${event.seq}`;
      if (s.requests[requestId]) return s;
      const base = {
        requestId,
        reason: str(p.reason),
        expiresAt: typeof p.expiresAt === 'string' ? p.expiresAt : null,
        requestedAt: at,
        seq: event.seq,
        state: 'pending' as const,
      };
      const request: EngineerRequest =
        type === 'request_command'
          ? { ...base, kind: 'command', command: str(p.command), output: [] }
          : { ...base, kind: 'file', path: str(p.path) };
      return {
        ...s,
        requests: { ...s.requests, [requestId]: request },
        items: [...s.items, { kind: 'request', seq: event.seq, at, requestId }],
      };
    }
    case 'approve_command':
      return updateRequest(s, p.requestId, (r) => {
        if (r.kind !== 'command' || !OPEN.includes(r.state)) return null;
        const scope = p.scope === 'session' || p.scope === 'once' ? p.scope : undefined;
        return { ...r, state: p.approved === true ? 'approved' : 'denied', decidedAt: at, ...(scope ? { scope } : {}) };
      });
    case 'command_output':
      return updateRequest(s, p.requestId, (r) => {
        if (r.kind !== 'command' || !STARTED.includes(r.state)) return null;
        const stream = p.stream === 'stderr' ? 'stderr' : 'stdout';
        return { ...r, state: 'running', output: [...r.output, { stream, data: str(p.data) }] };
      });
    case 'command_result':
      return updateRequest(s, p.requestId, (r) => {
        if (r.kind !== 'command' || !STARTED.includes(r.state)) return null;
        const result: CommandRequest['result'] = {
          exitCode: num(p.exitCode),
          signal: typeof p.signal === 'string' ? p.signal : null,
          durationMs: num(p.durationMs) ?? 0,
          truncated: p.truncated === true,
          redactions: num(p.redactions) ?? 0,
          ...(typeof p.error === 'string' ? { error: p.error } : {}),
        };
        return { ...r, state: 'done', result };
      });
    case 'approve_file':
      return updateRequest(s, p.requestId, (r) => {
        if (r.kind !== 'file' || !OPEN.includes(r.state)) return null;
        const refusedReason = typeof p.refusedReason === 'string' ? p.refusedReason : undefined;
        return {
          ...r,
          state: p.approved === true ? 'approved' : 'denied',
          decidedAt: at,
          ...(refusedReason ? { refusedReason } : {}),
        };
      });
    case 'file_upload':
      return updateRequest(s, p.requestId, (r) => {
        if (r.kind !== 'file' || r.state !== 'approved') return null;
        return {
          ...r,
          state: 'done',
          file: {
            path: str(p.path, r.path),
            size: num(p.size) ?? 0,
            sha256: str(p.sha256),
            content: str(p.content),
            redactions: num(p.redactions) ?? 0,
          },
        };
      });
    case 'request_expired':
      return updateRequest(s, p.requestId, (r) =>
        r.state === 'pending' || r.state === 'unanswered' ? { ...r, state: 'expired', decidedAt: at } : null,
      );
    case 'screenshare_request':
      return push({ kind: 'screenshare', seq: event.seq, at, url: str(p.url) });
    case 'billing_update': {
      const billing: Payload<'billing_update'> = {
        creditsUsed: num(p.creditsUsed) ?? 0,
        balance: num(p.balance) ?? 0,
        ratePerMinute: num(p.ratePerMinute) ?? 0,
        minutes: num(p.minutes) ?? 0,
        ...(p.warning === 'low_balance' ? { warning: 'low_balance' as const } : {}),
      };
      return { ...s, billing };
    }
    case 'session_end': {
      const summary = obj(p.summary);
      const endedBy = p.endedBy === 'customer' || p.endedBy === 'engineer' ? p.endedBy : 'system';
      const ended: SessionState['ended'] = {
        endedBy,
        reason: str(p.reason),
        summary: {
          engineer: typeof summary.engineer === 'string' ? summary.engineer : null,
          durationSeconds: num(summary.durationSeconds) ?? 0,
          creditsUsed: num(summary.creditsUsed) ?? 0,
        },
        at,
      };
      const requests: Record<string, EngineerRequest> = {};
      for (const [id, r] of Object.entries(s.requests)) {
        requests[id] = r.state === 'pending' ? { ...r, state: 'unanswered' } : r;
      }
      const who = endedBy === 'system' ? 'the server' : `the ${endedBy}`;
      return {
        ...s,
        status: 'ended',
        ended,
        requests,
        engineerConnected: false,
        items: [
          ...s.items,
          {
            kind: 'notice',
            seq: event.seq,
            at,
            text: `Session ended by ${who}${ended.reason ? `: ${ended.reason}` : ''}`,
            tone: 'info',
          },
        ],
      };
    }
    default:
      return s;
  }
}

export function applyEvents(state: SessionState, events: readonly EventLike[]): SessionState {
  let s = state;
  for (const e of events) s = applyEvent(s, e);
  return s;
}
