import { basename } from 'node:path';
import { Box, Text } from 'ink';
import { formatBytes } from '../core/formatBytes';
import { countdown } from './format';
import { type FileRequest, secondsLeft } from './sessionState';
import { TextInput } from './TextInput';
import { TooSmall } from './TooSmall';
import { Untrusted } from './Untrusted';

interface Props {
  request: FileRequest;
  now: number;
  armed: boolean;
  /** What the customer has typed so far to confirm a sensitive file, and whether it was wrong. */
  typed: string;
  mismatch: boolean;
  /** Set when the terminal is too small to show the whole request: rows it would need. */
  tooSmall?: number;
}

/**
 * The question for one file. A sensitive file (keys, .env, credentials) is not sent with a
 * single key press: the customer types its name, so sending it is always deliberate.
 */
export function FilePrompt({ request, now, armed, typed, mismatch, tooSmall }: Props) {
  const name = basename(request.path);
  const left = secondsLeft(request, now);
  if (tooSmall) return <TooSmall what="read a file" needRows={tooSmall} />;
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={request.sensitive ? 'red' : 'yellow'} paddingX={1}>
      <Text bold>
        Engineer requests file:{' '}
        <Text color="yellow">
          <Untrusted text={request.path} />
        </Text>
        {request.size !== undefined ? ` (${formatBytes(request.size)})` : ''}
      </Text>
      {request.reason ? (
        <Text>
          Reason: <Untrusted text={request.reason} />
        </Text>
      ) : null}
      {left !== null ? <Text dimColor>Expires in {countdown(left)}.</Text> : null}
      {request.sensitive ? (
        <Box flexDirection="column">
          <Text color="red">
            {request.sensitiveReason ?? 'This file usually holds secrets.'} Known secret values are masked before
            sending, but check it first.
          </Text>
          {armed ? (
            <Box>
              <Text>
                Type the file name (<Untrusted text={name} />) to send it, or press Esc to deny:{' '}
              </Text>
              <TextInput value={typed} isActive />
            </Box>
          ) : (
            <Text dimColor>Read the request; typing works in a moment…</Text>
          )}
          {mismatch ? (
            <Text color="yellow">
              That is not the file name. Type <Untrusted text={name} /> exactly, or press Esc to deny.
            </Text>
          ) : null}
        </Box>
      ) : armed ? (
        <Text>
          Allow? <Text bold>[y]</Text> send · <Text bold>[n]</Text> deny
        </Text>
      ) : (
        <Text dimColor>Read the request; the keys work in a moment…</Text>
      )}
    </Box>
  );
}
