import { Box, Text } from 'ink';
import { countdown } from './format';
import { type CommandRequest, secondsLeft } from './sessionState';

interface Props {
  request: CommandRequest;
  now: number;
  /** The keys work (the prompt has been on screen long enough to be read). */
  armed: boolean;
}

/** The framed question for one command: the exact text, why, how long is left, and the keys. */
export function CommandPrompt({ request, now, armed }: Props) {
  const left = secondsLeft(request, now);
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="yellow" paddingX={1}>
      <Text bold>Engineer requests to run:</Text>
      <Box marginLeft={2}>
        <Text color="yellow" bold>
          {request.command}
        </Text>
      </Box>
      {request.reason ? <Text>Reason: {request.reason}</Text> : null}
      <Text dimColor>
        Runs in the project folder with your shell; the output (secrets masked) goes to the engineer.
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
