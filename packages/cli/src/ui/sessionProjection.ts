import type { EngineerRequest, RequestState, SessionView, TimelineItem } from '@codevf/protocol/shared';
import type {
  CommandRequest,
  CommandStatus,
  Entry,
  FileRequest,
  FileStatus,
  LocalRequest,
  Request,
  SessionState,
  Tone,
} from './sessionState';

/**
 * Builds what the screen shows from the server's session view and this machine's own parts:
 * the chat log, the requests as the customer sees them, and the header's facts. Runs after
 * every action, so nothing here is stored twice.
 */

const OUTPUT_TAIL_CHARS = 4_000;

export function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS ? text.slice(-OUTPUT_TAIL_CHARS) : text;
}

export function deadlineOf(expiresAt: string | null, skewMs: number): number | null {
  if (!expiresAt) return null;
  const t = Date.parse(expiresAt);
  return Number.isNaN(t) ? null : t - skewMs;
}

export function project(s: SessionState): SessionState {
  const v = s.view;
  // The summary comes from session_end or from ending over HTTP, whichever is first.
  const status = s.summary ? 'ended' : (v.status ?? s.created?.status ?? null);
  const created = s.created;
  const queue =
    status !== 'queued'
      ? null
      : v.status === 'queued'
        ? { position: v.queuePosition ?? undefined, estimatedWaitSeconds: v.estimatedWaitSeconds ?? undefined }
        : { position: created?.queuePosition, estimatedWaitSeconds: created?.estimatedWaitSeconds };
  const requests: Record<string, Request> = {};
  for (const [id, r] of Object.entries(v.requests)) requests[id] = requestOf(r, s.local[id] ?? {}, s.skewMs);
  return {
    ...s,
    status,
    queue,
    askKeepWaiting: s.askKeepWaiting && status === 'queued',
    engineer: v.engineer ? { ...v.engineer, online: v.engineerConnected, kind: v.engineerKind ?? 'human' } : null,
    aiLeads: status === 'active' && v.engineerKind === 'ai' && v.engineerConnected,
    billing: v.billing ? { ...v.billing, lowBalance: v.lowBalance } : null,
    requests,
    entries: chatLog(v, s.localEntries, new Set(s.aiIds)),
    lastSeq: v.lastSeq,
  };
}

/** Statuses from this machine's own work, which the events cannot overtake. */
const LOCAL_OUTCOMES = new Set(['failed', 'refused', 'expired', 'running', 'completed']);

/**
 * Local knowledge wins where it is newer than the events: a check, an early decision, an expiry
 * seen here first, work done here. A file request is being checked until the check says more.
 */
function statusOf(
  view: RequestState,
  local: LocalRequest,
  failedResult: boolean,
  unchecked: 'checking' | 'pending',
): CommandStatus | FileStatus {
  const l = local.status;
  if (l && LOCAL_OUTCOMES.has(l)) return l;
  if (view === 'pending') return l ?? unchecked;
  if (view === 'unanswered') return 'expired';
  if (view === 'completed' && failedResult) return 'failed';
  return view;
}

function requestOf(r: EngineerRequest, local: LocalRequest, skewMs: number): Request {
  const base = { requestId: r.requestId, reason: r.reason, deadline: deadlineOf(r.expiresAt, skewMs) };
  if (r.kind === 'command') {
    const mine = local.ranHere === true;
    const result = mine ? local : (r.result ?? {});
    const output = r.output.map((o) => o.data).join('');
    const refusedReason = local.refusedReason ?? r.refusedReason;
    // A command with a working directory is checked here before the customer is asked.
    let status = statusOf(
      r.state,
      local,
      !mine && Boolean(r.result?.error),
      r.cwd !== undefined ? 'checking' : 'pending',
    ) as CommandStatus;
    if (status === 'denied' && refusedReason) status = 'refused';
    const c: CommandRequest = {
      ...base,
      kind: 'command',
      command: r.command,
      ...(r.cwd !== undefined ? { cwd: r.cwd } : {}),
      ...(r.timeoutSeconds !== undefined ? { timeoutSeconds: r.timeoutSeconds } : {}),
      status,
      refusedReason,
      scope: r.scope ?? local.scope,
      auto: local.auto,
      outputTail: mine ? (local.outputTail ?? '') : tail(output),
      outputBytes: mine ? (local.outputBytes ?? 0) : Buffer.byteLength(output),
      ranHere: mine,
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: result.durationMs,
      truncated: result.truncated,
      timedOut: result.timedOut,
      redactions: result.redactions,
      error: local.error ?? result.error,
    };
    return c;
  }
  const refusedReason = local.refusedReason ?? r.refusedReason;
  let fileStatus = statusOf(r.state, local, false, 'checking') as FileStatus;
  // A refusal of the local check reaches the server as a denial with its reason.
  if (fileStatus === 'denied' && refusedReason) fileStatus = 'refused';
  const f: FileRequest = {
    ...base,
    kind: 'file',
    path: r.path,
    status: fileStatus,
    size: r.file?.size ?? local.size,
    sensitive: local.sensitive,
    sensitiveReason: local.sensitiveReason,
    refusedReason,
    redactions: r.file?.redactions ?? local.redactions,
    error: local.error,
  };
  return f;
}

const NOTICE_TONE: Record<Extract<TimelineItem, { kind: 'notice' }>['tone'], Tone> = {
  info: 'info',
  good: 'ok',
  warn: 'warn',
};

/** What the log knows beyond the item itself. */
interface LogContext {
  /** Engineers seen joining so far (a second join is a return). */
  joined: Set<string>;
  /** Engineers that are the AI participant. */
  aiIds: Set<string>;
  /** Whether the AI has handed over by this point of the log. */
  handedOver: boolean;
}

/** The hand-over in the CLI's words (the fold's words are for any client), with what went wrong. */
function handoffText(h: NonNullable<SessionView['handoff']>): string {
  const detail = h.detail ? ` (${h.detail})` : '';
  switch (h.reason) {
    case 'ai_decided':
      return 'The AI is handing your session to a human engineer.';
    case 'customer_asked':
      return 'You asked for a human engineer: the AI is handing over.';
    case 'model_failed':
      return `The AI could not continue${detail}; a human engineer is being brought in.`;
    case 'budget_exhausted':
      return `The AI reached this session's AI limit${detail}; a human engineer is being brought in.`;
    case 'engineer_took_over':
      return 'An engineer is taking over from the AI.';
  }
}

/** The summary can be as long as a chat message; the screen shows its start (the engineer gets all). */
const SUMMARY_CHARS = 600;

/** One timeline item as a chat line, in the CLI's words; null for what the screen shows elsewhere. */
function entryOf(item: TimelineItem, v: SessionView, log: LogContext): Entry | null {
  const key = `seq:${item.seq}`;
  switch (item.kind) {
    case 'message':
      return {
        kind: 'message',
        key,
        at: item.at,
        who: item.from,
        name: item.from === 'customer' ? 'You' : (item.speaker?.name ?? v.engineer?.name ?? 'Engineer'),
        ...(item.from === 'engineer' ? { speakerKind: item.speaker?.kind ?? 'human' } : {}),
        text: item.text,
        redactions: item.redactions ?? 0,
        seq: item.seq,
        pending: false,
      };
    case 'request':
      return { kind: 'request', key: `req:${item.requestId}`, requestId: item.requestId };
    case 'screenshare':
      return { kind: 'system', key, at: item.at, text: `Engineer requests screenshare: ${item.url}`, tone: 'info' };
    case 'notice': {
      const e = item.engineer;
      // The summary panel tells how the session ended; the customer's own comings and goings
      // are news to the engineer, not to the customer.
      if (item.event === 'session_end') return null;
      if (item.event === 'customer_connected' || item.event === 'customer_disconnected') return null;
      if (item.event === 'engineer_connected' && e) {
        const again = log.joined.has(e.id);
        log.joined.add(e.id);
        const title = e.title ? ` (${e.title})` : '';
        const text = again
          ? `${e.name} is back.`
          : log.aiIds.has(e.id)
            ? `AI assistant connected: ${e.name}${title}`
            : `${log.handedOver ? 'Human engineer' : 'Engineer'} connected: ${e.name}${title}`;
        return { kind: 'system', key, at: item.at, text, tone: 'ok' };
      }
      if (item.event === 'engineer_disconnected') {
        if (!e) return null;
        // The AI leaves for good when it hands over; it has no connection to lose.
        if (log.aiIds.has(e.id))
          return { kind: 'system', key, at: item.at, text: `${e.name} (AI) left.`, tone: 'info' };
        const text = `${e.name} lost the connection; waiting for them to come back.`;
        return { kind: 'system', key, at: item.at, text, tone: 'warn' };
      }
      if (item.event === 'handoff' && v.handoff) {
        log.handedOver = true;
        // The view keeps the latest hand-over; an earlier one (there is at most one per AI
        // session) is worded by the fold's text.
        const h = v.handoff.seq === item.seq ? v.handoff : null;
        if (!h) return { kind: 'system', key, at: item.at, text: item.text, tone: 'info' };
        const summary = h.summary.length > SUMMARY_CHARS ? `${h.summary.slice(0, SUMMARY_CHARS)}…` : h.summary;
        const quote = `The AI's summary for the engineer: ${summary}`;
        return { kind: 'system', key, at: item.at, text: handoffText(h), tone: 'info', quote };
      }
      return { kind: 'system', key, at: item.at, text: item.text, tone: NOTICE_TONE[item.tone] };
    }
  }
}

/** The server's timeline in order, with this machine's lines placed after the events they followed. */
function chatLog(v: SessionView, local: SessionState['localEntries'], aiIds: Set<string>): Entry[] {
  const echoed = new Set(v.items.filter((i) => i.kind === 'message').map((i) => i.seq));
  const mine = local.filter((e) => !(e.kind === 'message' && e.seq !== undefined && echoed.has(e.seq)));
  const out: Entry[] = [];
  let next = 0;
  const flushUpTo = (seq: number) => {
    while (next < mine.length && (mine[next] as (typeof mine)[number]).afterSeq < seq) {
      const { afterSeq: _afterSeq, ...entry } = mine[next] as (typeof mine)[number];
      out.push(entry);
      next++;
    }
  };
  const log: LogContext = { joined: new Set<string>(), aiIds, handedOver: false };
  for (const item of v.items) {
    flushUpTo(item.seq);
    const entry = entryOf(item, v, log);
    if (entry) out.push(entry);
  }
  flushUpTo(Number.POSITIVE_INFINITY);
  return out;
}
