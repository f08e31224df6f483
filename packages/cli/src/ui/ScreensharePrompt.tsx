import { checkScreenshareUrl, screenshareUrlProblem } from '@codevf/protocol/shared';
import { Box, Text } from 'ink';
import { Untrusted } from './Untrusted';

/**
 * The engineer's screenshare link. Only an https link without user info can be opened (plus
 * http to this machine against a development server), and only with [o]: the host it goes to
 * stands on its own line first, since the rest of a link is easy to dress up.
 */
export function ScreensharePrompt({ url, allowLoopbackHttp = false }: { url: string; allowLoopbackHttp?: boolean }) {
  const link = checkScreenshareUrl(url, { allowLoopbackHttp });
  if (!link.ok) {
    return (
      <Box flexDirection="column" borderStyle="round" borderColor="red" paddingX={1}>
        <Text bold>Engineer sent a screenshare link that cannot be opened:</Text>
        <Text color="red">{screenshareUrlProblem(link.reason)}</Text>
        <Text dimColor>
          Link: <Untrusted text={url} />
        </Text>
        <Text dimColor>
          <Text bold>[Esc]</Text> back to the chat
        </Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>Engineer requests screenshare on:</Text>
      <Box marginLeft={2}>
        <Text color="cyan" bold>
          {link.host}
        </Text>
      </Box>
      <Text dimColor>Full link: {link.href}</Text>
      <Text dimColor>
        <Text bold>[o]</Text> open in your browser · <Text bold>[Esc]</Text> back to the chat
      </Text>
    </Box>
  );
}
