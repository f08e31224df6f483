import {
  type EventPayload,
  foldEvent,
  initialSessionView,
  isPersistedType,
  MAX_CHAT_CHARS,
  MAX_REASON_CHARS,
  type PersistedEvent,
  type SessionView,
  unhandled,
} from '@codevf/protocol/shared';

/**
 * The console's session view: a task's persisted events (live frames or the stored transcript)
 * folded by the protocol's shared fold (foldEvent), after reading each event defensively —
 * payloads reach the console unchecked (the browser bundle carries no zod), and one odd event
 * must not break the page.
 */

export interface EventLike {
  seq: number;
  type: string;
  timestamp: string;
  payload: unknown;
}

export const initialSessionState = initialSessionView;

/** Applies one event. Unknown types, unusable payloads and events already applied change only `lastSeq`. */
export function applyEvent(state: SessionView, event: EventLike): SessionView {
  if (event.seq <= state.lastSeq) return state;
  const typed = readEvent(event);
  return typed ? foldEvent(state, typed) : { ...state, lastSeq: event.seq };
}

export function applyEvents(state: SessionView, events: readonly EventLike[]): SessionView {
  let s = state;
  for (const e of events) s = applyEvent(s, e);
  return s;
}

function obj(payload: unknown): Record<string, unknown> {
  return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
}
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** `{[key]: v}`, or nothing when `v` is missing: optional members stay absent, not undefined. */
function opt<K extends string, T>(key: K, v: T | null | undefined): { [P in K]?: T } {
  return v == null ? {} : ({ [key]: v } as { [P in K]?: T });
}

const nonNegative = (n: number | null): number | null => (n !== null && n >= 0 ? n : null);

type HandoffReason = EventPayload<'handoff'>['reason'];
const HANDOFF_REASONS = new Set<HandoffReason>([
  'ai_decided',
  'customer_asked',
  'model_failed',
  'budget_exhausted',
  'engineer_took_over',
]);

/** The role the server's `welcome` gave this socket; `unknown` for one this console does not know. */
export type WelcomeRole = 'customer' | 'engineer' | 'guide' | 'unknown';

export function readWelcomeRole(payload: unknown): WelcomeRole {
  const role = obj(payload).role;
  return role === 'customer' || role === 'engineer' || role === 'guide' ? role : 'unknown';
}

/**
 * Reads an event into the protocol's typed shape: missing strings become '', missing numbers 0,
 * unknown enum values their safest member (a hand-over for a reason this console does not know
 * reads as the AI's own decision), strings the protocol caps are cut to the cap. Null when the
 * event cannot be shown at all (an unknown type, a status that is none of the three, a
 * hand-over not from the AI).
 */
export function readEvent(event: EventLike): PersistedEvent | null {
  const type = event.type;
  if (!isPersistedType(type)) return null;
  const p = obj(event.payload);
  const { seq, timestamp } = event;
  const requestId = str(p.requestId) || `seq-${seq}`;
  switch (type) {
    case 'task_status': {
      const status = p.status === 'queued' || p.status === 'active' || p.status === 'ended' ? p.status : null;
      if (!status) return null;
      return {
        type: 'task_status',
        seq,
        timestamp,
        payload: {
          status,
          ...opt('queuePosition', num(p.queuePosition)),
          ...opt('estimatedWaitSeconds', num(p.estimatedWaitSeconds)),
        },
      };
    }
    case 'engineer_connected': {
      const e = obj(p.engineer);
      const engineer = {
        id: str(e.id),
        name: str(e.name, 'The engineer'),
        title: typeof e.title === 'string' ? e.title : null,
      };
      return {
        type: 'engineer_connected',
        seq,
        timestamp,
        payload: { engineer, kind: p.kind === 'ai' ? 'ai' : 'human' },
      };
    }
    case 'engineer_disconnected':
      return { type: 'engineer_disconnected', seq, timestamp, payload: { engineerId: str(p.engineerId) } };
    case 'customer_connected':
    case 'customer_disconnected':
      return { type, seq, timestamp, payload: { customerId: str(p.customerId) } };
    case 'engineer_message':
      return { type: 'engineer_message', seq, timestamp, payload: { text: str(p.text) } };
    case 'customer_message':
      return {
        type: 'customer_message',
        seq,
        timestamp,
        payload: { text: str(p.text), ...opt('redactions', num(p.redactions)) },
      };
    case 'request_command':
      return {
        type: 'request_command',
        seq,
        timestamp,
        payload: {
          requestId,
          command: str(p.command),
          reason: str(p.reason),
          ...opt('cwd', typeof p.cwd === 'string' ? p.cwd : null),
          ...opt('timeoutSeconds', nonNegative(num(p.timeoutSeconds))),
          expiresAt: str(p.expiresAt),
        },
      };
    case 'request_file':
      return {
        type: 'request_file',
        seq,
        timestamp,
        payload: { requestId, path: str(p.path), reason: str(p.reason), expiresAt: str(p.expiresAt) },
      };
    case 'approve_command': {
      const scope = p.scope === 'session' || p.scope === 'once' ? p.scope : undefined;
      return {
        type: 'approve_command',
        seq,
        timestamp,
        payload: {
          requestId: str(p.requestId),
          approved: p.approved === true,
          ...(scope ? { scope } : {}),
          ...opt('refusedReason', typeof p.refusedReason === 'string' ? p.refusedReason : null),
          ...opt('reason', typeof p.reason === 'string' ? p.reason : null),
        },
      };
    }
    case 'command_output':
      return {
        type: 'command_output',
        seq,
        timestamp,
        payload: {
          requestId: str(p.requestId),
          stream: p.stream === 'stderr' ? 'stderr' : 'stdout',
          data: str(p.data),
        },
      };
    case 'command_result':
      return {
        type: 'command_result',
        seq,
        timestamp,
        payload: {
          requestId: str(p.requestId),
          exitCode: num(p.exitCode),
          signal: typeof p.signal === 'string' ? p.signal : null,
          durationMs: num(p.durationMs) ?? 0,
          truncated: p.truncated === true,
          redactions: num(p.redactions) ?? 0,
          ...opt('timedOut', typeof p.timedOut === 'boolean' ? p.timedOut : null),
          ...opt('error', typeof p.error === 'string' ? p.error : null),
        },
      };
    case 'approve_file':
      return {
        type: 'approve_file',
        seq,
        timestamp,
        payload: {
          requestId: str(p.requestId),
          approved: p.approved === true,
          ...opt('refusedReason', typeof p.refusedReason === 'string' ? p.refusedReason : null),
          ...opt('reason', typeof p.reason === 'string' ? p.reason : null),
        },
      };
    case 'file_upload':
      return {
        type: 'file_upload',
        seq,
        timestamp,
        payload: {
          requestId: str(p.requestId),
          path: str(p.path),
          size: num(p.size) ?? 0,
          sha256: str(p.sha256),
          encoding: 'utf8',
          content: str(p.content),
          redactions: num(p.redactions) ?? 0,
        },
      };
    case 'request_expired':
      return { type: 'request_expired', seq, timestamp, payload: { requestId: str(p.requestId) } };
    case 'screenshare_request':
      return { type: 'screenshare_request', seq, timestamp, payload: { url: str(p.url) } };
    case 'billing_update':
      return {
        type: 'billing_update',
        seq,
        timestamp,
        payload: {
          creditsUsed: num(p.creditsUsed) ?? 0,
          balance: num(p.balance) ?? 0,
          ratePerMinute: num(p.ratePerMinute) ?? 0,
          minutes: num(p.minutes) ?? 0,
          ...opt('warning', p.warning === 'low_balance' ? ('low_balance' as const) : null),
          ...opt('help', p.help === 'ai' || p.help === 'human' ? p.help : null),
          ...opt('freeMinutesLeft', nonNegative(num(p.freeMinutesLeft))),
        },
      };
    case 'session_end': {
      const summary = obj(p.summary);
      return {
        type: 'session_end',
        seq,
        timestamp,
        payload: {
          endedBy: p.endedBy === 'customer' || p.endedBy === 'engineer' ? p.endedBy : 'system',
          reason: str(p.reason),
          ...opt('resolution', typeof p.resolution === 'string' && p.resolution ? p.resolution : null),
          summary: {
            engineer: typeof summary.engineer === 'string' ? summary.engineer : null,
            durationSeconds: num(summary.durationSeconds) ?? 0,
            ...opt('billedMinutes', num(summary.billedMinutes)),
            creditsUsed: num(summary.creditsUsed) ?? 0,
          },
        },
      };
    }
    case 'handoff': {
      // Only the AI hands over; a hand-over from anyone else is not one the console can word.
      if (p.from !== 'ai') return null;
      const detail = typeof p.detail === 'string' ? p.detail.slice(0, MAX_REASON_CHARS) : null;
      return {
        type: 'handoff',
        seq,
        timestamp,
        payload: {
          from: 'ai',
          reason: HANDOFF_REASONS.has(p.reason as HandoffReason) ? (p.reason as HandoffReason) : 'ai_decided',
          summary: str(p.summary).slice(0, MAX_CHAT_CHARS),
          ...opt('detail', detail),
        },
      };
    }
    case 'guide_message': {
      const g = obj(p.guide);
      return {
        type: 'guide_message',
        seq,
        timestamp,
        payload: { text: str(p.text), guide: { id: str(g.id), name: str(g.name) || 'An engineer' } },
      };
    }
    default:
      return unhandled(type, null);
  }
}
