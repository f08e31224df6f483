import { Box, Text } from 'ink';
import { headerDetail, statusLine } from './screenText';
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
