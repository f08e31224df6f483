import { Box, Text } from 'ink';
import { clockTime, masked } from './format';
import { RequestLine } from './RequestLine';
import type { Entry, SessionState } from './sessionState';
import { Untrusted } from './Untrusted';

const TONE: Record<string, string> = { info: 'cyan', warn: 'yellow', error: 'red', ok: 'green' };

function Line({ entry, state }: { entry: Entry; state: SessionState }) {
  if (entry.kind === 'request') {
    const r = state.requests[entry.requestId];
    return r ? <RequestLine request={r} /> : null;
  }
  if (entry.kind === 'system') {
    return (
      <Text>
        <Text dimColor>[{clockTime(entry.at)}] </Text>
        <Text color={TONE[entry.tone]}>
          <Untrusted text={entry.text} />
        </Text>
      </Text>
    );
  }
  // The message sits in its own column: its second line starts under its first, never at the
  // left edge, so a message cannot draw a line that looks like another speaker's or the program's.
  return (
    <Box>
      <Text>
        <Text dimColor>[{clockTime(entry.at)}] </Text>
        <Text bold color={entry.who === 'engineer' ? 'magenta' : 'blue'}>
          <Untrusted text={entry.name} />:
        </Text>{' '}
      </Text>
      <Box flexShrink={1}>
        <Text>
          <Untrusted text={entry.text} keepNewlines />
          <Text dimColor>
            {masked(entry.redactions)}
            {entry.pending ? ' (sending…)' : ''}
          </Text>
        </Text>
      </Box>
    </Box>
  );
}

/**
 * The conversation, newest at the bottom. It takes the height the rest of the screen leaves
 * and clips from the top: Ink redraws the whole frame, and a frame taller than the terminal
 * would scroll and smear. Only the last `maxEntries` are laid out at all.
 */
export function ChatLog({ state, maxEntries = 60 }: { state: SessionState; maxEntries?: number }) {
  const entries = state.entries.slice(-maxEntries);
  return (
    <Box flexDirection="column" justifyContent="flex-end" flexGrow={1} flexShrink={1} overflow="hidden" paddingX={1}>
      {entries.length === 0 ? (
        <Text dimColor>Waiting for an engineer. Describe what you have tried while you wait.</Text>
      ) : (
        entries.map((e) => (
          <Box key={e.key} flexShrink={0}>
            <Line entry={e} state={state} />
          </Box>
        ))
      )}
    </Box>
  );
}
