import type { Task } from '@codevf/protocol';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/api';
import { asApiError } from '../api/apiError';
import { AlertSettings } from '../components/AlertSettings';
import { DriverPill } from '../components/DriverPill';
import { HandoffBrief } from '../components/HandoffSummary';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { UntrustedText } from '../components/UntrustedText';
import { useNow } from '../hooks/useNow';
import { formatAgo, formatDuration } from '../lib/format';
import { diffQueue } from '../live/queueDiff';
import { useQueue, useWorkspace } from '../live/workspace';
import { navigate } from '../router/router';
import { SessionList } from './session/SessionList';

interface GoneNotice {
  id: string;
  text: string;
}

/**
 * The engineers' queue, as the server pushes it (the workspace's queue stream): it changes by
 * itself when a task arrives, is claimed or leaves. Claiming opens the session in the workspace,
 * where it stays connected while the engineer comes back here for the next one.
 */
export function QueuePage() {
  const workspace = useWorkspace();
  const queue = useQueue();
  const tasks = queue.tasks;
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [notices, setNotices] = useState<GoneNotice[]>([]);
  const [claiming, setClaiming] = useState<string | null>(null);
  const seenRef = useRef<Task[] | null>(null);
  const claimingRef = useRef<string | null>(null);
  const now = useNow(true, 5000);

  // What changed since the last snapshot this page saw: new arrivals are marked, and a task
  // that left without this engineer claiming it is announced.
  useEffect(() => {
    if (!tasks) return;
    const prev = seenRef.current;
    seenRef.current = tasks;
    if (!prev) return;
    const { added, removed } = diffQueue(prev, tasks);
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
  }, [tasks]);

  async function claim(task: Task) {
    setClaiming(task.id);
    claimingRef.current = task.id;
    try {
      await api.claim(task.id);
      workspace?.queue.forget(task.id);
      workspace?.sessions.open(task.id, task.description);
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
        workspace?.queue.forget(task.id);
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
            Tasks waiting for an engineer, oldest first; tasks the AI handed over carry its summary. The list updates by
            itself.
          </>
        }
      />
      <SessionList />
      <AlertSettings />
      <div aria-live="polite" className="notice-stack">
        {notices.map((n) => (
          <Notice key={n.id} tone="warn" onDismiss={() => setNotices((all) => all.filter((x) => x.id !== n.id))}>
            <UntrustedText text={n.text} />
          </Notice>
        ))}
      </div>
      {queue.status === 'reconnecting' ? (
        <Notice tone="warn" title="Reconnecting…">
          {queue.error ? `${queue.error.message} ` : ''}The list below may be out of date.
        </Notice>
      ) : null}
      {!workspace ? (
        <Notice tone="bad" title="No access">
          The queue is only for engineers.
        </Notice>
      ) : queue.status === 'refused' && queue.error ? (
        queue.error.code === 'E_FORBIDDEN' ? (
          <Notice tone="bad" title="No access">
            The queue is only for engineers. {queue.error.message}
          </Notice>
        ) : (
          <ErrorState error={queue.error} retry={() => workspace.queue.retry()} />
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
