import { useState } from 'react';
import { type AiTask, api } from '../api/api';
import { asApiError } from '../api/apiError';
import { useUser } from '../auth/AuthProvider';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { TakeOverButton } from '../components/TakeOverButton';
import { UntrustedText } from '../components/UntrustedText';
import { useAsync } from '../hooks/useAsync';
import { useVisibleInterval } from '../hooks/useInterval';
import { useNow } from '../hooks/useNow';
import { formatDuration, plural, taskDurationSeconds } from '../lib/format';
import { navigate } from '../router/router';

/** How often the list is fetched again while the page is visible. */
export const AI_SESSIONS_POLL_MS = 5000;
/** What marks an AI session as struggling: this many requests denied or expired, or this long. */
export const STRUGGLE_DENIALS = 2;
export const STRUGGLE_SECONDS = 15 * 60;

/** "Vibe mode": the AI-led tasks running now, to guide the AI or to take a task over from it. */
export function AiSessionsPage() {
  const user = useUser();
  return <AiSessions userId={user.id} />;
}

export function AiSessions({ userId }: { userId: string }) {
  const { data, error, reload } = useAsync((signal) => api.aiTasks(signal), []);
  useVisibleInterval(reload, AI_SESSIONS_POLL_MS, error?.code !== 'E_FORBIDDEN');
  const now = useNow(true, 5000);
  const [opening, setOpening] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const isGuide = (t: AiTask) => t.guides.some((g) => g.id === userId);
  const open = (t: AiTask) => navigate(`/session/${encodeURIComponent(t.id)}`);

  async function guide(t: AiTask) {
    setOpening(t.id);
    setProblem(null);
    try {
      if (!isGuide(t)) await api.guide(t.id);
      open(t);
    } catch (err) {
      setOpening(null);
      setProblem(asApiError(err, 'Could not join the session as a guide.').message);
      reload();
    }
  }

  async function takeOver(t: AiTask) {
    // Only a guide of the task may take it over: join first when not one yet.
    if (!isGuide(t)) await api.guide(t.id);
    await api.takeover(t.id);
    open(t);
  }

  return (
    <div className="page">
      <PageHeader
        title="AI sessions"
        subtitle={
          <>
            Tasks the AI is working on now. Guide the AI without taking over, or take a task over yourself. Updates
            every {AI_SESSIONS_POLL_MS / 1000} seconds.
          </>
        }
      />
      {problem ? (
        <Notice tone="warn" onDismiss={() => setProblem(null)}>
          {problem}
        </Notice>
      ) : null}
      {error && data ? (
        <Notice tone="warn" title="Reconnecting…">
          {error.message} The list below may be out of date.
        </Notice>
      ) : null}
      {error && !data ? (
        error.code === 'E_FORBIDDEN' ? (
          <Notice tone="bad" title="No access">
            AI sessions are only for engineers. {error.message}
          </Notice>
        ) : (
          <ErrorState error={error} retry={reload} />
        )
      ) : !data ? (
        <Loading label="Loading AI sessions…" />
      ) : data.length === 0 ? (
        <EmptyState title="No AI sessions right now">
          Tasks the AI is working on show here, so you can guide it or take over.
        </EmptyState>
      ) : (
        <ul className="queue" aria-label="AI-led tasks">
          {data.map((t) => (
            <AiTaskItem
              key={t.id}
              task={t}
              now={now}
              guiding={isGuide(t)}
              busy={opening !== null}
              opening={opening === t.id}
              onGuide={() => guide(t)}
              onTakeOver={() => takeOver(t)}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function AiTaskItem({
  task: t,
  now,
  guiding,
  busy,
  opening,
  onGuide,
  onTakeOver,
}: {
  task: AiTask;
  now: number;
  guiding: boolean;
  busy: boolean;
  opening: boolean;
  onGuide: () => void;
  onTakeOver: () => Promise<unknown>;
}) {
  const seconds = taskDurationSeconds(t, now);
  const struggling = t.deniedRequests >= STRUGGLE_DENIALS || (seconds ?? 0) >= STRUGGLE_SECONDS;
  const descId = `ai-task-${t.id}`;
  return (
    <li className="queue-item" data-task-id={t.id}>
      <div className="queue-main">
        <p className="queue-desc" id={descId}>
          <UntrustedText text={t.description} keepNewlines />
        </p>
        <p className="queue-meta">
          {struggling ? <span className="pill pill-warn">may need help</span> : null}
          <span>
            <UntrustedText text={t.customerName ?? 'Customer'} />
          </span>
          <span data-testid="ai-duration">· running {seconds === null ? '—' : formatDuration(seconds)}</span>
          <span data-testid="ai-denied">· {plural(t.deniedRequests, 'request')} denied or expired</span>
          <span data-testid="ai-guides">
            ·{' '}
            {t.guides.length === 0 ? (
              'no guide yet'
            ) : (
              <>
                guided by <UntrustedText text={t.guides.map((g) => g.name).join(', ')} />
                {guiding ? ' (you)' : ''}
              </>
            )}
          </span>
        </p>
      </div>
      <div className="item-actions">
        <button type="button" className="btn primary" disabled={busy} aria-describedby={descId} onClick={onGuide}>
          {opening ? 'Opening…' : 'Guide'}
        </button>
        <TakeOverButton takeOver={onTakeOver} describedBy={descId} disabled={busy} />
      </div>
    </li>
  );
}
