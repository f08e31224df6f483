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
    const line = (
      <Text>
        <Text dimColor>[{clockTime(entry.at)}] </Text>
        <Text color={TONE[entry.tone]}>
          <Untrusted text={entry.text} />
        </Text>
      </Text>
    );
    if (entry.quote === undefined) return line;
    // Someone else's words under our line, indented in their own column (as a message is).
    return (
      <Box flexDirection="column">
        {line}
        <Box paddingLeft={8}>
          <Text dimColor>
            <Untrusted text={entry.quote} keepNewlines />
          </Text>
        </Box>
      </Box>
    );
  }
  // The message sits in its own column: its second line starts under its first, never at the
  // left edge, so a message cannot draw a line that looks like another speaker's or the program's.
  return (
    <Box>
      <Text>
        <Text dimColor>[{clockTime(entry.at)}] </Text>
        <Speaker entry={entry} />{' '}
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

type MessageEntry = Extract<Entry, { kind: 'message' }>;

/**
 * Who wrote a line: the AI with an `AI` tag in inverse video (a name cannot draw that), a
 * person by name, a guide as steering the AI. Names are someone else's text.
 */
function Speaker({ entry }: { entry: MessageEntry }) {
  if (entry.who === 'customer') {
    return (
      <Text bold color="blue">
        <Untrusted text={entry.name} />:
      </Text>
    );
  }
  if (entry.who === 'guide') {
    return (
      <Text bold color="yellow">
        <Untrusted text={entry.name} /> (guiding the AI):
      </Text>
    );
  }
  return (
    <Text bold color="magenta">
      {entry.speakerKind === 'ai' ? (
        <>
          <Text inverse> AI </Text>{' '}
        </>
      ) : null}
      <Untrusted text={entry.name} />:
    </Text>
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
