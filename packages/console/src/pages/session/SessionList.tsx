import { UntrustedText } from '../../components/UntrustedText';
import { useHeldSessions, useWorkspaceSessions } from '../../live/workspace';
import { Link } from '../../router/router';

/**
 * The live sessions the engineer holds, each with its unread customer messages: one click
 * moves between them (and the sockets stay open whichever is shown).
 */
export function SessionList({ current }: { current?: string }) {
  const sessions = useHeldSessions();
  const store = useWorkspaceSessions();
  if (sessions.length === 0) return null;
  return (
    <nav className="session-list" aria-label="Sessions you hold">
      <h2 className="session-list-title">Sessions you hold</h2>
      <ul className="plain-list">
        {sessions.map((s) => {
          const ended = s.state.status === 'ended';
          return (
            <li key={s.taskId} data-session-id={s.taskId}>
              <Link
                href={`/session/${encodeURIComponent(s.taskId)}`}
                aria-current={s.taskId === current ? 'page' : undefined}
              >
                <UntrustedText text={preview(s.description) || s.taskId} />
              </Link>
              {s.unread > 0 ? (
                <span className="pill pill-new unread-count">
                  {s.unread}
                  <span className="visually-hidden"> unread</span>
                </span>
              ) : null}
              {ended ? (
                <>
                  <span className="pill">ended</span>
                  <button type="button" className="btn ghost small" onClick={() => store?.close(s.taskId)}>
                    Remove from the list
                  </button>
                </>
              ) : null}
              {s.connection.state === 'reconnecting' ? <span className="pill">reconnecting</span> : null}
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function preview(text: string, max = 50): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
