import type { EventPayload, PersistedEvent } from '../serverEvents';
import { unhandled } from './exhaustive';
import type { PersistedType } from './messageTypes';
import { nextRequestState, type RequestAction, type RequestState } from './requestLifecycle';

/**
 * What a client knows about a session from its persisted events (live frames or the stored
 * transcript): the timeline, every engineer request with its lifecycle state and output,
 * status, billing and who is connected. The CLI and the console both fold events with this;
 * each keeps its own UI state (prompts, input, view) beside it.
 *
 * Pure and idempotent by `seq`: a replay after reconnecting may repeat events the view already
 * has, and those are skipped. Transitions the lifecycle forbids (output before approval, a
 * second decision) leave the request as it is.
 */

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: string;
}

interface RequestBase {
  requestId: string;
  reason: string;
  /** The server's expiry (ISO time), null when unknown. */
  expiresAt: string | null;
  requestedAt: string;
  seq: number;
  state: RequestState;
  decidedAt?: string;
  /** Why the customer (or their coding agent) declined it, when they said. */
  declineReason?: string;
}

export interface CommandRequest extends RequestBase {
  kind: 'command';
  command: string;
  /** The folder it runs in, relative to the project root; absent: the root. */
  cwd?: string;
  /** The engineer's time limit; absent: the customer's side's default. */
  timeoutSeconds?: number;
  scope?: 'once' | 'session';
  /**
   * Approved by a session-wide allowance the customer gave for an earlier request of the same
   * command, folder and time limit: it ran without the customer being asked.
   */
  underAllowance?: boolean;
  /** Why the customer's side refused it without asking (e.g. its folder is outside the project). */
  refusedReason?: string;
  output: OutputChunk[];
  result?: Omit<EventPayload<'command_result'>, 'requestId'>;
}

export interface FileRequest extends RequestBase {
  kind: 'file';
  path: string;
  refusedReason?: string;
  file?: Omit<EventPayload<'file_upload'>, 'requestId' | 'encoding'>;
}

export type EngineerRequest = CommandRequest | FileRequest;

/** Who wrote an engineer's or a guide's line: their name and whether it was the AI. */
export interface Speaker {
  name: string;
  kind: 'human' | 'ai';
}

export type TimelineItem =
  | {
      kind: 'message';
      seq: number;
      at: string;
      /** `guide`: an engineer guiding the AI (vibe mode); their line is addressed to the AI. */
      from: 'engineer' | 'customer' | 'guide';
      text: string;
      redactions?: number;
      /** For engineer and guide lines: who, as the view knew them when the line arrived. */
      speaker?: Speaker;
    }
  | { kind: 'request'; seq: number; at: string; requestId: string }
  | { kind: 'screenshare'; seq: number; at: string; url: string }
  | {
      kind: 'notice';
      seq: number;
      at: string;
      text: string;
      tone: 'info' | 'good' | 'warn';
      /** The event that made it, so that a client may word it its own way. */
      event: PersistedType;
      /** For an engineer's arrival or departure: who. */
      engineer?: Engineer;
    };

export type Engineer = EventPayload<'engineer_connected'>['engineer'];

export interface SessionView {
  lastSeq: number;
  status: 'queued' | 'active' | 'ended' | null;
  queuePosition: number | null;
  estimatedWaitSeconds: number | null;
  engineer: Engineer | null;
  /** Whether `engineer` is a human or the AI (from their `engineer_connected`). */
  engineerKind: 'human' | 'ai' | null;
  engineerConnected: boolean;
  /** The AI's hand-over, once it happened (the task then waits for a human, or a guide took over). */
  handoff: (EventPayload<'handoff'> & { at: string; seq: number }) | null;
  /** Whether the customer has a socket open (on any server instance); null until an event says. */
  customerConnected: boolean | null;
  /** When the engineer first joined: the start of the session clock. */
  startedAt: string | null;
  billing: EventPayload<'billing_update'> | null;
  /** Set once a `low_balance` warning arrived (later updates may omit it). */
  lowBalance: boolean;
  ended: (EventPayload<'session_end'> & { at: string }) | null;
  items: TimelineItem[];
  requests: Record<string, EngineerRequest>;
}

export function initialSessionView(): SessionView {
  return {
    lastSeq: 0,
    status: null,
    queuePosition: null,
    estimatedWaitSeconds: null,
    engineer: null,
    engineerKind: null,
    engineerConnected: false,
    handoff: null,
    customerConnected: null,
    startedAt: null,
    billing: null,
    lowBalance: false,
    ended: null,
    items: [],
    requests: {},
  };
}

/** Moves request `id` through the lifecycle; unknown ids and forbidden transitions change nothing. */
function advance<R extends EngineerRequest>(
  view: SessionView,
  id: string,
  kind: R['kind'],
  action: RequestAction,
  change: (r: R, state: RequestState) => R,
  approved?: boolean,
): SessionView {
  const current = view.requests[id];
  if (!current || current.kind !== kind) return view;
  const state = nextRequestState(current.state, action, approved);
  if (!state) return view;
  return { ...view, requests: { ...view.requests, [id]: change(current as R, state) } };
}

/** How each hand-over reads in the timeline (a client may word it its own way by `event`). */
const HANDOFF_NOTICES: Record<EventPayload<'handoff'>['reason'], string> = {
  ai_decided: 'The AI is handing the session to a human engineer',
  customer_asked: 'A human engineer was asked for: the AI is handing over',
  model_failed: 'The AI could not continue: a human engineer is being brought in',
  budget_exhausted: "The AI used this session's AI budget: a human engineer is being brought in",
  engineer_took_over: 'An engineer took over from the AI',
};

/** Applies one persisted event. Events already applied leave the view as it is. */
export function foldEvent(view: SessionView, event: PersistedEvent): SessionView {
  if (event.seq <= view.lastSeq) return view;
  const v: SessionView = { ...view, lastSeq: event.seq };
  const at = event.timestamp;
  const seq = event.seq;
  const push = (item: TimelineItem, base: SessionView = v): SessionView => ({ ...base, items: [...base.items, item] });

  switch (event.type) {
    case 'task_status': {
      const p = event.payload;
      const queued = p.status === 'queued';
      return {
        ...v,
        status: p.status,
        queuePosition: queued ? (p.queuePosition ?? null) : null,
        estimatedWaitSeconds: queued ? (p.estimatedWaitSeconds ?? null) : null,
      };
    }
    case 'engineer_connected': {
      const { engineer, kind } = event.payload;
      return push(
        {
          kind: 'notice',
          seq,
          at,
          text: `${engineer.name} joined the session`,
          tone: 'good',
          event: event.type,
          engineer,
        },
        {
          ...v,
          engineer,
          engineerKind: kind,
          engineerConnected: true,
          startedAt: v.startedAt ?? at,
          status: v.status === 'ended' ? v.status : 'active',
          queuePosition: null,
          estimatedWaitSeconds: null,
        },
      );
    }
    case 'engineer_disconnected':
      return push(
        {
          kind: 'notice',
          seq,
          at,
          text: `${v.engineer?.name ?? 'The engineer'} disconnected`,
          tone: 'warn',
          event: event.type,
          ...(v.engineer ? { engineer: v.engineer } : {}),
        },
        { ...v, engineerConnected: false },
      );
    case 'customer_connected':
      // Only a return is news; the first connection is the normal state.
      return v.customerConnected === false
        ? push(
            { kind: 'notice', seq, at, text: 'Customer reconnected', tone: 'good', event: event.type },
            { ...v, customerConnected: true },
          )
        : { ...v, customerConnected: true };
    case 'customer_disconnected':
      return push(
        { kind: 'notice', seq, at, text: 'Customer disconnected', tone: 'warn', event: event.type },
        { ...v, customerConnected: false },
      );
    case 'engineer_message':
      return push({
        kind: 'message',
        seq,
        at,
        from: 'engineer',
        text: event.payload.text,
        ...(v.engineer ? { speaker: { name: v.engineer.name, kind: v.engineerKind ?? 'human' } } : {}),
      });
    case 'guide_message':
      return push({
        kind: 'message',
        seq,
        at,
        from: 'guide',
        text: event.payload.text,
        speaker: { name: event.payload.guide.name, kind: 'human' },
      });
    case 'handoff': {
      const handoff = { ...event.payload, at, seq };
      return push(
        { kind: 'notice', seq, at, text: HANDOFF_NOTICES[handoff.reason], tone: 'info', event: event.type },
        { ...v, handoff },
      );
    }
    case 'customer_message': {
      const { text, redactions } = event.payload;
      return push({ kind: 'message', seq, at, from: 'customer', text, ...(redactions ? { redactions } : {}) });
    }
    case 'request_command':
    case 'request_file': {
      const p = event.payload;
      if (v.requests[p.requestId]) return v;
      const base = {
        requestId: p.requestId,
        reason: p.reason,
        expiresAt: p.expiresAt || null,
        requestedAt: at,
        seq,
        state: 'pending' as const,
      };
      const request: EngineerRequest =
        'command' in p
          ? {
              ...base,
              kind: 'command',
              command: p.command,
              ...(p.cwd !== undefined ? { cwd: p.cwd } : {}),
              ...(p.timeoutSeconds !== undefined ? { timeoutSeconds: p.timeoutSeconds } : {}),
              output: [],
            }
          : { ...base, kind: 'file', path: p.path };
      return push(
        { kind: 'request', seq, at, requestId: p.requestId },
        { ...v, requests: { ...v.requests, [p.requestId]: request } },
      );
    }
    case 'approve_command': {
      const { requestId, approved, scope, refusedReason, reason } = event.payload;
      return advance<CommandRequest>(
        v,
        requestId,
        'command',
        'decide',
        (r, state) => ({
          ...r,
          state,
          decidedAt: at,
          ...(scope ? { scope } : {}),
          ...(approved && scope === 'session' && allowedEarlier(v, r) ? { underAllowance: true } : {}),
          ...(refusedReason ? { refusedReason } : {}),
          ...(!approved && reason ? { declineReason: reason } : {}),
        }),
        approved,
      );
    }
    case 'command_output': {
      const { requestId, stream, data } = event.payload;
      return advance<CommandRequest>(v, requestId, 'command', 'use', (r, state) => ({
        ...r,
        state,
        output: [...r.output, { stream, data }],
      }));
    }
    case 'command_result': {
      const { requestId, ...result } = event.payload;
      return advance<CommandRequest>(v, requestId, 'command', 'finish', (r, state) => ({ ...r, state, result }));
    }
    case 'approve_file': {
      const { requestId, approved, refusedReason, reason } = event.payload;
      return advance<FileRequest>(
        v,
        requestId,
        'file',
        'decide',
        (r, state) => ({
          ...r,
          state,
          decidedAt: at,
          ...(refusedReason ? { refusedReason } : {}),
          ...(!approved && reason ? { declineReason: reason } : {}),
        }),
        approved,
      );
    }
    case 'file_upload': {
      const { requestId, encoding: _encoding, ...file } = event.payload;
      return advance<FileRequest>(v, requestId, 'file', 'finish', (r, state) => ({ ...r, state, file }));
    }
    case 'request_expired': {
      const id = event.payload.requestId;
      const r = v.requests[id];
      if (!r) return v;
      const state = nextRequestState(r.state, 'expire');
      return state ? { ...v, requests: { ...v.requests, [id]: { ...r, state, decidedAt: at } } } : v;
    }
    case 'screenshare_request':
      return push({ kind: 'screenshare', seq, at, url: event.payload.url });
    case 'billing_update': {
      const billing = event.payload;
      return { ...v, billing, lowBalance: v.lowBalance || billing.warning === 'low_balance' };
    }
    case 'session_end': {
      const ended = { ...event.payload, at };
      const requests: Record<string, EngineerRequest> = {};
      for (const [id, r] of Object.entries(v.requests)) {
        const state = nextRequestState(r.state, 'end');
        requests[id] = state ? { ...r, state } : r;
      }
      const who = ended.endedBy === 'system' ? 'the server' : `the ${ended.endedBy}`;
      return push(
        {
          kind: 'notice',
          seq,
          at,
          text: `Session ended by ${who}${ended.reason ? `: ${ended.reason}` : ''}`,
          tone: 'info',
          event: event.type,
        },
        { ...v, status: 'ended', ended, requests, engineerConnected: false },
      );
    }
    default:
      return unhandled(event, v);
  }
}

/** The key a session-wide allowance matches on: the exact command, folder and time limit. */
export function commandAllowanceKey(r: { command: string; cwd?: string; timeoutSeconds?: number }): string {
  return JSON.stringify([r.command, r.cwd ?? '', r.timeoutSeconds ?? null]);
}

/** Whether an earlier request of the same key was approved for the session. */
function allowedEarlier(view: SessionView, r: CommandRequest): boolean {
  const key = commandAllowanceKey(r);
  return Object.values(view.requests).some(
    (o) =>
      o.kind === 'command' &&
      o.requestId !== r.requestId &&
      o.seq < r.seq &&
      o.scope === 'session' &&
      commandAllowanceKey(o) === key,
  );
}

export function foldEvents(view: SessionView, events: readonly PersistedEvent[]): SessionView {
  let v = view;
  for (const e of events) v = foldEvent(v, e);
  return v;
}
