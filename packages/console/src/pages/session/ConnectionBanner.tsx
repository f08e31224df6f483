import { Notice } from '../../components/Notice';
import type { Connection } from '../../live/useLiveSession';

/** Says when the live connection is not up; nothing while it is live or once the session ended. */
export function ConnectionBanner({ connection, ended }: { connection: Connection; ended: boolean }) {
  if (ended || connection.state === 'live' || connection.state === 'closed') return null;
  if (connection.state === 'connecting') {
    return (
      <Notice tone="info" title="Connecting…">
        Joining the live session.
      </Notice>
    );
  }
  if (connection.state === 'reconnecting') {
    return (
      <Notice tone="warn" title="Reconnecting…">
        The connection dropped{connection.attempt > 1 ? ` (attempt ${connection.attempt})` : ''}. Nothing is lost: the
        session resumes where it left off, and anything you send now goes out once it is back.
      </Notice>
    );
  }
  return (
    <Notice tone="bad" title="Disconnected">
      {connection.reason ?? 'The live connection closed.'} Reload the page to try again.
    </Notice>
  );
}
