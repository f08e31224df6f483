import { Notice } from '../../components/Notice';
import type { LiveSession } from '../../live/useLiveSession';
import { ConnectionBanner } from './ConnectionBanner';

/** What a live view says about its connection, and a server error that answered none of its messages. */
export function LiveNotices({ live, ended }: { live: LiveSession; ended: boolean }) {
  return (
    <>
      <ConnectionBanner connection={live.connection} ended={ended} />
      {live.serverError ? (
        <Notice tone="warn" title="The server refused a message" onDismiss={live.clearServerError}>
          {live.serverError}
        </Notice>
      ) : null}
    </>
  );
}
