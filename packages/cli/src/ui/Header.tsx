import { Box, Text } from 'ink';
import { plural } from './format';
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
  if (state.phase === 'askIssue') return 'CodeVF — live help from a human engineer';
  if (state.phase === 'starting') return 'Creating your task…';
  if (state.status === 'ended') return 'Session ended';
  if (state.engineer) {
    const title = state.engineer.title ? ` (${state.engineer.title})` : '';
    const away = state.engineer.online ? '' : ' — reconnecting';
    return `Engineer connected: ${state.engineer.name}${title}${away}`;
  }
  const q = state.queue;
  if (state.status === 'queued' && q) {
    const parts: string[] = [];
    if (q.position !== undefined) parts.push(`position ${q.position} in the queue`);
    if (q.estimatedWaitSeconds !== undefined) parts.push(`estimated wait ${waitText(q.estimatedWaitSeconds)}`);
    return `Engineer connecting… ${parts.length ? `(${parts.join(', ')})` : ''}`.trim();
  }
  return 'Engineer connecting…';
}

export function waitText(seconds: number): string {
  return seconds < 60 ? 'under a minute' : plural(Math.round(seconds / 60), 'minute');
}

/** Top of the screen: who is helping, what it costs, whether we are online. */
export function Header({ state }: { state: SessionState }) {
  const conn = connectionLabel(state);
  const rate = state.billing
    ? `Billing: ${plural(state.billing.ratePerMinute, 'credit')}/min`
    : state.engineer
      ? 'Billing: per minute while the engineer is here'
      : 'Billing starts when an engineer joins';
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Box justifyContent="space-between">
        <Text bold wrap="truncate-end">
          <Untrusted text={statusLine(state)} />
        </Text>
        {state.phase !== 'askIssue' && <Text color={conn.color}>{conn.text}</Text>}
      </Box>
      {state.phase !== 'askIssue' && <Text dimColor>{rate} · You can chat below. Press CTRL+C to exit</Text>}
    </Box>
  );
}
