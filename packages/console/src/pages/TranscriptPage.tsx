import type { EventsResponse, Role, Task } from '@codevf/protocol';
import { formatBilledMinutes, formatSessionDuration, type SessionView } from '@codevf/protocol/shared';
import { type ReactNode, useEffect, useMemo } from 'react';
import { api } from '../api/api';
import { useUser } from '../auth/AuthProvider';
import { DataTable } from '../components/DataTable';
import { DriverPill } from '../components/DriverPill';
import { HandoffSummary } from '../components/HandoffSummary';
import { LoadFailurePage } from '../components/LoadFailurePage';
import { Notice } from '../components/Notice';
import { Rating } from '../components/Rating';
import { Loading } from '../components/States';
import { StatusPill } from '../components/StatusPill';
import { TaskHeader } from '../components/TaskHeader';
import { Timeline, type TimelineViewer } from '../components/Timeline';
import { UntrustedText } from '../components/UntrustedText';
import { useAsync } from '../hooks/useAsync';
import { formatDateTime, taskDurationSeconds } from '../lib/format';
import { applyEvents, initialSessionState } from '../live/sessionState';
import { useLiveSession } from '../live/useLiveSession';
import { Link } from '../router/router';
import { ConnectionBanner } from './session/ConnectionBanner';

/** How long after the live view got ahead of the stored events they are read again (chain, event list). */
const EVENTS_REFRESH_MS = 1_000;

/**
 * A task's transcript: every persisted event in order, replayed through the same fold as the
 * live view, with the server's verification of the hash chain over those events. While the task
 * is not over, its customer and its engineer read it live (see LiveTranscript).
 */
export function TranscriptPage({ taskId }: { taskId: string }) {
  const user = useUser();
  const { data, error, loading, reload } = useAsync(
    async (signal) => {
      const [task, events] = await Promise.all([api.task(taskId, signal), api.taskEvents(taskId, signal)]);
      return { task, events };
    },
    [taskId],
  );
  if (error) {
    return (
      <LoadFailurePage
        title="Transcript"
        refusedTitle="You cannot open this transcript"
        whoMayOpen="Transcripts are visible only to the task's customer, its engineer and the engineers who guided its AI."
        error={error}
        retry={reload}
        back={{ href: '/tasks', label: 'Back to tasks' }}
      />
    );
  }
  if (loading && !data) return <Loading label="Loading the transcript…" />;
  if (!data) return null;
  const viewer = transcriptViewer(user, data.task);
  if (followsLive(user, data.task)) {
    return <LiveTranscript task={data.task} events={data.events} viewer={viewer} refresh={reload} />;
  }
  return <Transcript task={data.task} events={data.events} viewer={viewer} />;
}

/**
 * Who reads a transcript live: the task's customer and its engineer, who may open its socket for
 * as long as the task is not over. A guide has the session page; anyone else reads what is stored.
 */
function followsLive(user: { id: string; role: Role }, task: Task): boolean {
  if (task.status === 'ended') return false;
  return user.role === 'customer' || (user.role === 'engineer' && task.engineer?.id === user.id);
}

/**
 * The transcript of a task still going: the conversation comes from the live session as it
 * happens; the stored events (for the chain check and the event list) are read again shortly
 * after the live view gets ahead of them, and once more when the session ends, which turns
 * this into the static transcript.
 */
function LiveTranscript({
  task,
  events,
  viewer,
  refresh,
}: {
  task: Task;
  events: EventsResponse;
  viewer: TimelineViewer;
  refresh: () => void;
}) {
  const live = useLiveSession(task.id, true, task.description);
  const stored = events.events.at(-1)?.seq ?? 0;
  const { lastSeq } = live.state;
  const ended = live.state.status === 'ended';
  useEffect(() => {
    if (lastSeq <= stored && !ended) return;
    const timer = setTimeout(refresh, ended ? 0 : EVENTS_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [lastSeq, stored, ended, refresh]);
  return (
    <Transcript
      task={task}
      events={events}
      viewer={viewer}
      live={live.state}
      banner={<ConnectionBanner connection={live.connection} ended={ended} />}
    />
  );
}

/** An engineer who is not the task's engineer (a guide of its AI) reads it as a guide: no line is theirs. */
export function transcriptViewer(user: { id: string; role: Role }, task: Task): TimelineViewer {
  return user.role === 'engineer' && task.engineer?.id !== user.id ? 'guide' : user.role;
}

export function Transcript({
  task,
  events,
  viewer,
  live,
  banner,
}: {
  task: Task;
  events: EventsResponse;
  viewer: TimelineViewer;
  /** The live session's view, for a task still going: shown once it has caught up with the stored events. */
  live?: SessionView;
  banner?: ReactNode;
}) {
  const stored = useMemo(() => applyEvents(initialSessionState(), events.events), [events]);
  const state = live && live.lastSeq >= stored.lastSeq ? live : stored;
  const handoff = state.handoff ?? task.handoff ?? null;
  const endedAt = task.endedAt ? Date.parse(task.endedAt) : Date.now();
  const duration = taskDurationSeconds(task, endedAt);
  const chain = events.chain;
  return (
    <div className="page">
      <TaskHeader
        title="Transcript"
        description={task.description}
        actions={
          task.status === 'active' && (viewer === 'engineer' || (viewer === 'guide' && task.aiLed)) ? (
            <Link className="btn primary" href={`/session/${encodeURIComponent(task.id)}`}>
              Open live session
            </Link>
          ) : task.status !== 'ended' && viewer === 'customer' ? (
            <Link className="btn primary" href={`/session/${encodeURIComponent(task.id)}`}>
              Open live view
            </Link>
          ) : null
        }
      />
      {live ? (
        <Notice tone="info" title="Live">
          This session is still going: the conversation below updates as it happens.
        </Notice>
      ) : null}
      {banner}
      {chain.verified ? (
        <Notice tone="good" title="Audit chain verified">
          All {events.events.length} events are intact and in order
          {chain.headHash ? (
            <>
              {' '}
              (head hash <code title={chain.headHash}>{chain.headHash.slice(0, 16)}…</code>)
            </>
          ) : null}
          .
        </Notice>
      ) : (
        <Notice tone="bad" title="Audit chain broken">
          The stored events do not match their hash chain
          {chain.brokenAtSeq !== null ? ` from event #${chain.brokenAtSeq} on` : ''}. This transcript may have been
          altered; report it to an admin.
        </Notice>
      )}
      <dl className="session-stats">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusPill status={task.status} />
            <DriverPill driver={task.driver} />
          </dd>
        </div>
        <div>
          <dt>Engineer</dt>
          <dd>
            {task.engineer ? (
              <UntrustedText text={`${task.engineer.name}${task.engineer.title ? ` (${task.engineer.title})` : ''}`} />
            ) : (
              '—'
            )}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatDateTime(task.createdAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{duration === null ? '—' : formatSessionDuration(duration)}</dd>
        </div>
        <div>
          <dt>Billed</dt>
          <dd data-testid="billed-minutes">
            {task.billedMinutes === undefined ? '—' : formatBilledMinutes(task.billedMinutes)}
          </dd>
        </div>
        <div>
          <dt>Credits used</dt>
          <dd>{task.creditsUsed}</dd>
        </div>
        <div>
          <dt>Rating</dt>
          <dd data-testid="task-rating">
            <Rating value={task.rating} />
          </dd>
        </div>
      </dl>
      {task.feedback ? (
        <blockquote className="feedback">
          “<UntrustedText text={task.feedback} keepNewlines />”
        </blockquote>
      ) : null}
      {task.resolution ? (
        <section className="resolution card" aria-labelledby="resolution-heading" data-testid="resolution">
          <h2 id="resolution-heading">Resolution</h2>
          <p>
            <UntrustedText text={task.resolution} keepNewlines />
          </p>
        </section>
      ) : null}
      {handoff ? <HandoffSummary handoff={handoff} /> : null}
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Conversation</h2>
        <Timeline state={state} viewer={viewer} now={endedAt} />
      </section>
      <details className="raw-events">
        <summary>All {events.events.length} events, in order</summary>
        <DataTable columns={[{ label: '#', numeric: true }, 'Time', 'Event', 'Hash']} compact>
          {events.events.map((e) => (
            <tr
              key={e.seq}
              className={chain.brokenAtSeq !== null && e.seq >= chain.brokenAtSeq ? 'row-bad' : undefined}
            >
              <td className="num">{e.seq}</td>
              <td>{formatDateTime(e.timestamp, { seconds: true })}</td>
              <td>
                <code>{e.type}</code>
              </td>
              <td>
                <code title={e.hash}>{e.hash.slice(0, 12)}</code>
              </td>
            </tr>
          ))}
        </DataTable>
      </details>
      <p>
        <Link href="/tasks">Back to tasks</Link>
      </p>
    </div>
  );
}
