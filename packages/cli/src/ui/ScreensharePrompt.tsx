import { Box, Text } from 'ink';

/** The engineer's screenshare link; opening it ([o]) is the customer's choice. */
export function ScreensharePrompt({ url }: { url: string }) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>Engineer requests screenshare:</Text>
      <Text>
        Open link: <Text color="cyan">{url}</Text>
      </Text>
      <Text dimColor>
        <Text bold>[o]</Text> open in your browser · <Text bold>[Esc]</Text> back to the chat
      </Text>
    </Box>
  );
}
