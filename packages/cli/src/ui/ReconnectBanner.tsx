import { Text } from 'ink';
import type { ConnectionState } from '../session/sessionConnection';
import { formatDuration } from './format';

/** Shown while the socket is down: what happens now, so silence never looks like a hang. */
export function ReconnectBanner({ connection }: { connection: ConnectionState }) {
  if (connection.kind !== 'reconnecting') return null;
  return (
    <Text color="yellow">
      Warning: Connection lost. Reconnecting… (attempt {connection.attempt} of {connection.maxAttempts}, next try in{' '}
      {formatDuration(connection.delayMs)}). Your messages and answers are kept and sent when the connection is back.
    </Text>
  );
}
