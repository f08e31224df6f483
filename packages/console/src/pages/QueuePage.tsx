import type { Task } from '@codevf/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/api';
import { type ApiError, asApiError } from '../api/apiError';
import { DriverPill } from '../components/DriverPill';
import { HandoffBrief } from '../components/HandoffSummary';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { UntrustedText } from '../components/UntrustedText';
import { useVisibleInterval } from '../hooks/useInterval';
import { useNow } from '../hooks/useNow';
import { formatAgo, formatDuration } from '../lib/format';
import { diffQueue } from '../live/queueDiff';
import { Link, navigate } from '../router/router';

/** How often the queue is fetched again while the page is visible. */
export const QUEUE_POLL_MS = 3000;

interface GoneNotice {
  id: string;
  text: string;
}

export function QueuePage() {
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [mine, setMine] = useState<Task[]>([]);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [pollError, setPollError] = useState<ApiError | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [notices, setNotices] = useState<GoneNotice[]>([]);
  const [claiming, setClaiming] = useState<string | null>(null);
  const tasksRef = useRef<Task[] | null>(null);
  const claimingRef = useRef<string | null>(null);
  const now = useNow(true, 5000);

  const refresh = useCallback(async () => {
    try {
      const next = await api.queue();
      const prev = tasksRef.current;
      if (prev) {
        const { added, removed } = diffQueue(prev, next);
        const gone = removed.filter((t) => t.id !== claimingRef.current);
        if (gone.length) {
          setNotices((n) => [
            ...n,
            ...gone.map((t) => ({
              id: `${t.id}-${Date.now()}`,
              text: `“${preview(t.description)}” is no longer waiting: another engineer claimed it, or the customer left.`,
            })),
          ]);
        }
        if (added.length) setFresh((f) => new Set([...f, ...added.map((t) => t.id)]));
      }
      tasksRef.current = next;
      setTasks(next);
      setLoadError(null);
      setPollError(null);
    } catch (err) {
      const e = asApiError(err, 'Could not load the queue.');
      if (tasksRef.current) setPollError(e);
      else setLoadError(e);
    }
  }, []);

  useEffect(() => {
    void refresh();
    api
      .tasks()
      .then((all) => setMine(all.filter((t) => t.status === 'active')))
      .catch(() => {
        // The list of own sessions is a convenience; the queue itself shows any real problem.
      });
  }, [refresh]);
  useVisibleInterval(() => void refresh(), QUEUE_POLL_MS, loadError?.code !== 'E_FORBIDDEN');

  async function claim(task: Task) {
    setClaiming(task.id);
    claimingRef.current = task.id;
    try {
      await api.claim(task.id);
      navigate(`/session/${encodeURIComponent(task.id)}`);
    } catch (err) {
      claimingRef.current = null;
      setClaiming(null);
      const e = asApiError(err, 'Could not claim the task.');
      if (e.code === 'E_CONFLICT' || e.code === 'E_NOT_FOUND') {
        setNotices((n) => [
          ...n,
          { id: `${task.id}-claim`, text: `Another engineer claimed “${preview(task.description)}” first.` },
        ]);
        const remaining = (tasksRef.current ?? []).filter((t) => t.id !== task.id);
        tasksRef.current = remaining;
        setTasks(remaining);
      } else {
        setNotices((n) => [...n, { id: `${task.id}-err-${Date.now()}`, text: e.message }]);
      }
    }
  }

  return (
    <div className="page">
      <PageHeader
        title="Queue"
        subtitle={
          <>
            Tasks waiting for an engineer, oldest first; tasks the AI handed over carry its summary. Updates every{' '}
            {QUEUE_POLL_MS / 1000} seconds.
          </>
        }
      />
      {mine.length > 0 ? (
        <Notice tone="info" title="Your active sessions">
          <ul className="plain-list">
            {mine.map((t) => (
              <li key={t.id}>
                <Link href={`/session/${encodeURIComponent(t.id)}`}>
                  <UntrustedText text={preview(t.description)} />
                </Link>
              </li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <div aria-live="polite" className="notice-stack">
        {notices.map((n) => (
          <Notice key={n.id} tone="warn" onDismiss={() => setNotices((all) => all.filter((x) => x.id !== n.id))}>
            <UntrustedText text={n.text} />
          </Notice>
        ))}
      </div>
      {pollError ? (
        <Notice tone="warn" title="Reconnecting…">
          {pollError.message} The list below may be out of date.
        </Notice>
      ) : null}
      {loadError ? (
        loadError.code === 'E_FORBIDDEN' ? (
          <Notice tone="bad" title="No access">
            The queue is only for engineers. {loadError.message}
          </Notice>
        ) : (
          <ErrorState error={loadError} retry={() => void refresh()} />
        )
      ) : tasks === null ? (
        <Loading label="Loading the queue…" />
      ) : tasks.length === 0 ? (
        <EmptyState title="No tasks waiting">New tasks appear here by themselves.</EmptyState>
      ) : (
        <ul className="queue" aria-label="Waiting tasks">
          {tasks.map((t, i) => (
            <li key={t.id} className={`queue-item${fresh.has(t.id) ? ' is-new' : ''}`} data-task-id={t.id}>
              <div className="queue-main">
                <p className="queue-desc">
                  <UntrustedText text={t.description} keepNewlines />
                </p>
                <p className="queue-meta">
                  <span className="pill">{t.projectType ?? 'project type unknown'}</span>
                  <span className="pill">{t.mode}</span>
                  <DriverPill driver={t.driver} />
                  <span>waiting {formatAgo(t.createdAt, now).replace(' ago', '')}</span>
                  {t.customerName ? (
                    <span>
                      · <UntrustedText text={t.customerName} />
                    </span>
                  ) : null}
                  {t.estimatedWaitSeconds !== undefined ? (
                    <span>· est. wait {formatDuration(t.estimatedWaitSeconds)}</span>
                  ) : null}
                  {fresh.has(t.id) ? <span className="pill pill-new">new</span> : null}
                </p>
                {t.handoff ? <HandoffBrief handoff={t.handoff} /> : null}
              </div>
              <button
                type="button"
                className="btn primary"
                disabled={claiming !== null}
                onClick={() => claim(t)}
                aria-label={`Claim task ${i + 1}: ${preview(t.description)}`}
              >
                {claiming === t.id ? 'Claiming…' : 'Claim'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function preview(text: string, max = 60): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
