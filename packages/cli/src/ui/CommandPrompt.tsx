import { Box, Text } from 'ink';
import { countdown } from './format';
import { COMMAND_INDENT, commandNote, commandRows, FOLDER_LABEL, PROMPT_INSET, timeLimitText } from './requestLayout';
import { type CommandRequest, secondsLeft } from './sessionState';
import { TooSmall } from './TooSmall';
import { Segments, Untrusted } from './Untrusted';

interface Props {
  request: CommandRequest;
  now: number;
  /** The keys work (the prompt has been on screen long enough to be read, and all of it fits). */
  armed: boolean;
  /** Terminal width: the command is cut into rows by us, so none is ever hidden or truncated. */
  columns: number;
  /** Set when the terminal is too small to show the whole request: rows it would need. */
  tooSmall?: number;
}

/**
 * The framed question for one command: the exact text, byte for byte (control and invisible
 * characters as markers, every line numbered), the folder it runs in and its time limit when
 * the engineer set them, why, how long is left, and the keys.
 */
export function CommandPrompt({ request, now, armed, columns, tooSmall }: Props) {
  const left = secondsLeft(request, now);
  if (tooSmall) return <TooSmall what="run a command" needRows={tooSmall} />;
  const rows = commandRows(request.command, Math.max(10, columns - PROMPT_INSET) - COMMAND_INDENT);
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="yellow" paddingX={1}>
      <Text bold>Engineer requests to run:</Text>
      <Box marginLeft={COMMAND_INDENT} flexDirection="column">
        {rows.map((row, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows of one command, redrawn whole
          <Text key={i} color="yellow" bold>
            {row.gutter ? <Text dimColor>{row.gutter}</Text> : null}
            <Segments segments={row.segments} />
          </Text>
        ))}
      </Box>
      {request.cwd !== undefined ? (
        <Text>
          {FOLDER_LABEL}
          <Text bold>
            <Untrusted text={request.cwd} />
          </Text>
        </Text>
      ) : null}
      {request.timeoutSeconds !== undefined ? <Text>{timeLimitText(request.timeoutSeconds)}</Text> : null}
      {request.reason ? (
        <Text>
          Reason: <Untrusted text={request.reason} />
        </Text>
      ) : null}
      <Text dimColor>
        {commandNote(request)}
        {left !== null ? ` Expires in ${countdown(left)}.` : ''}
      </Text>
      {armed ? (
        <Text>
          Allow? <Text bold>[y]</Text> run once · <Text bold>[a]</Text> allow this exact command for the session ·{' '}
          <Text bold>[n]</Text> deny
        </Text>
      ) : (
        <Text dimColor>Read the command; the keys work in a moment…</Text>
      )}
    </Box>
  );
}
