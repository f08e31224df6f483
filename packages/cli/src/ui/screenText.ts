import { queueText } from './format';
import { rateLine } from './rateLine';
import type { SessionState } from './sessionState';

// The live screen's own lines as plain strings, shared by its Ink components and by the plain
// first frame drawn before Ink is loaded (plainFrame.ts).

/**
 * The header's first line: where the session stands and who is helping (the AI or a person).
 * It contains an engineer's name: draw it as untrusted text.
 */
export function statusLine(state: SessionState): string {
  if (state.phase === 'askIssue') return 'CodeVF — live help from an AI assistant or a human engineer';
  if (state.phase === 'starting') return 'Creating your task…';
  if (state.status === 'ended') return 'Session ended';
  if (state.phase === 'ending') return 'Ending the session…';
  // Left without an end (connection lost for good, interrupted): the task, if any, stays open.
  if (state.phase === 'done') return state.taskId ? 'Left the session — the task is still open' : 'Session not started';
  const q = state.queue;
  // Queued comes first: after a hand-over the AI is still the last engineer the events named.
  if (state.status === 'queued') {
    const where = q ? queueText(q.position, q.estimatedWaitSeconds) : '';
    const what = state.view.handoff ? 'Bringing in a human engineer…' : 'Engineer connecting…';
    return `${what} ${where ? `(${where})` : ''}`.trim();
  }
  const e = state.engineer;
  if (e) {
    const title = e.title ? ` (${e.title})` : '';
    if (e.kind === 'ai') {
      if (e.online) return `AI assistant: ${e.name}${title}`;
      return state.view.handoff ? 'An engineer is taking over from the AI…' : `AI assistant: ${e.name}${title} — away`;
    }
    const away = e.online ? '' : ' — reconnecting';
    return `${state.view.handoff ? 'Human engineer' : 'Engineer'} connected: ${e.name}${title}${away}`;
  }
  return 'Engineer connecting…';
}

/** The header's second line: the rate now and how to leave; once over, what it came to. */
export function headerDetail(state: SessionState): string {
  if (state.status === 'ended') return `Billing stopped · Credits used: ${state.summary?.creditsUsed ?? 0}`;
  if (state.phase === 'done')
    return state.taskId ? `Resume it with: codevf fix --resume ${state.taskId}` : 'Nothing was billed';
  return `${rateLine(state)} · You can chat below. Press CTRL+C to exit`;
}

/** While the AI helps: how to get a person instead (typed in the chat, see session/chatInput.ts). */
export const HUMAN_HINT = 'Want a person? Type /human (or /human <reason>) to ask for a human engineer.';

/** Whether the footer shows HUMAN_HINT. */
export function showsHumanHint(state: SessionState): boolean {
  return state.aiLeads && !state.humanAsked;
}
