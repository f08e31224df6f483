import { Box, Text } from 'ink';

/**
 * In place of a request too tall for the terminal. The keys stay off: the customer answers only
 * a request they can see whole, so part of it can never be pushed off screen.
 */
export function TooSmall({ what, needRows }: { what: string; needRows: number }) {
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="red" paddingX={1}>
      <Text bold>Engineer requests to {what}.</Text>
      <Text color="red">
        The terminal is too small to show the whole request: make it at least {needRows} rows tall. The keys are off
        until then.
      </Text>
    </Box>
  );
}
