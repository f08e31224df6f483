import { Box, Text } from 'ink';
import { clockTime, masked } from './format';
import { RequestLine } from './RequestLine';
import type { Entry, Request } from './sessionState';
import { Untrusted } from './Untrusted';

const TONE: Record<string, string> = { info: 'cyan', warn: 'yellow', error: 'red', ok: 'green' };

/** One line of the conversation; a request line shows `request` (its state now, or as written). */
export function LogLine({ entry, request }: { entry: Entry; request?: Request }) {
  if (entry.kind === 'request') return request ? <RequestLine request={request} /> : null;
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
 * The unfinished part of the conversation (a message being sent, a request waiting or running),
 * newest at the bottom, in the live part of the screen: finished lines are in the scrollback
 * (scrollback.ts). It takes the height the rest of the live part leaves and clips from the top.
 */
export function LiveLog({ entries, requests }: { entries: Entry[]; requests: Record<string, Request> }) {
  return (
    <Box flexDirection="column" justifyContent="flex-end" flexShrink={1} overflow="hidden" paddingX={1}>
      {entries.map((e) => (
        <Box key={e.key} flexShrink={0}>
          <LogLine entry={e} request={e.kind === 'request' ? requests[e.requestId] : undefined} />
        </Box>
      ))}
    </Box>
  );
}
