import type { ServerMessage } from '@codevf/protocol';
import { foldEvent, type PersistedEvent } from '@codevf/protocol/shared';
import { queueText } from './format';
import type { SessionState } from './sessionState';
import { addSystem, endWith, onAck } from './sessionUpdates';

/**
 * Applies one frame from the server. A persisted event goes to the protocol's shared fold, so a
 * new event type is handled there, once, for every client; this file handles only the control
 * frames. The screen's own reactions (a low-balance line, the screenshare prompt, the summary)
 * follow from how the view changed, not from the event's type.
 */
export function applyFrame(state: SessionState, f: ServerMessage, now: number): SessionState {
  // Countdowns of a request that just arrived start from now, not from the last tick.
  if (now > state.now) state = { ...state, now };
  switch (f.type) {
    case 'welcome': {
      const p = f.payload;
      const serverNow = Date.parse(f.timestamp);
      return {
        ...state,
        taskId: p.taskId,
        created: { ...state.created, status: p.status },
        replayUntil: p.lastSeq,
        skewMs: Number.isNaN(serverNow) ? 0 : serverNow - now,
        phase: state.phase === 'starting' ? 'live' : state.phase,
      };
    }
    case 'error':
      return { ...state, notice: { text: f.payload.message, tone: 'error' } };
    case 'ack':
      // The session client settles acks (the `ack` action); the frame itself changes nothing here.
      return state;
    default: {
      if (f.seq === undefined) return state;
      const event: PersistedEvent = { ...f, seq: f.seq };
      // Our own message coming back: the line this process showed becomes the server's.
      if (event.type === 'customer_message' && event.id) state = onAck(state, event.id, event.seq);
      return react(state, foldEvent(state.view, event), event.timestamp);
    }
  }
}

function react(state: SessionState, view: SessionState['view'], at: string): SessionState {
  const before = state.view;
  let s: SessionState = { ...state, view };
  if (view.lowBalance && !before.lowBalance && view.billing) {
    s = addSystem(s, at, `Low balance: ${view.billing.balance} credits left.`, 'warn');
  }
  for (const item of view.items.slice(before.items.length)) {
    if (item.kind === 'screenshare') s = { ...s, screenshare: { url: item.url, opened: false } };
    // The fold has just taken this engineer's kind from their event: remember who the AI is, so
    // its arrival and departure read as the AI's wherever they sit in the log.
    const joined = item.kind === 'notice' && item.event === 'engineer_connected' ? item.engineer : undefined;
    if (joined && view.engineerKind === 'ai' && !s.aiIds.includes(joined.id)) {
      s = { ...s, aiIds: [...s.aiIds, joined.id] };
    }
  }
  if (view.handoff && !before.handoff) s = { ...s, humanAsked: false };
  // After a hand-over the task is back in the queue: say where, once (the header keeps it current).
  if (view.handoff && view.status === 'queued' && before.status !== 'queued') {
    s = addSystem(s, at, humanQueueLine(view), 'info');
  }
  if (view.ended && !before.ended) {
    const { endedBy, reason, summary, resolution } = view.ended;
    s = endWith(s, { endedBy, reason, ...summary, ...(resolution ? { resolution } : {}) });
  }
  return s;
}

function humanQueueLine(view: SessionState['view']): string {
  const where = queueText(view.queuePosition ?? undefined, view.estimatedWaitSeconds ?? undefined);
  return `Waiting for a human engineer${where ? `: ${where}` : ''}.`;
}
