import { Box, Text } from 'ink';
import { queueText } from './format';
import { rateLine } from './rateLine';
import type { SessionState } from './sessionState';
import { Untrusted } from './Untrusted';

function connectionLabel(state: SessionState): { text: string; color: string } {
  switch (state.connection.kind) {
    case 'connected':
      return { text: '● online', color: 'green' };
    case 'connecting':
      return { text: '○ connecting', color: 'yellow' };
    case 'reconnecting':
      return { text: '○ reconnecting', color: 'yellow' };
    case 'closed':
      return { text: '○ closed', color: 'gray' };
    case 'failed':
      return { text: '✗ offline', color: 'red' };
  }
}

function statusLine(state: SessionState): string {
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

/** The header's second line: the rate now and how to leave. */
export function headerDetail(state: SessionState): string {
  if (state.status === 'ended') return `Billing stopped · Credits used: ${state.summary?.creditsUsed ?? 0}`;
  if (state.phase === 'done')
    return state.taskId ? `Resume it with: codevf fix --resume ${state.taskId}` : 'Nothing was billed';
  return `${rateLine(state)} · You can chat below. Press CTRL+C to exit`;
}

/** Top of the screen: who is helping (the AI or a person), what their time costs now, whether we are online. */
export function Header({ state }: { state: SessionState }) {
  const conn = connectionLabel(state);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Box justifyContent="space-between">
        <Text bold wrap="truncate-end">
          <Untrusted text={statusLine(state)} />
        </Text>
        {state.phase !== 'askIssue' && <Text color={conn.color}>{conn.text}</Text>}
      </Box>
      {state.phase !== 'askIssue' && <Text dimColor>{headerDetail(state)}</Text>}
    </Box>
  );
}
