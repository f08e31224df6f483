import type { Task } from '@codevf/protocol';
import { formatBilledMinutes, formatSessionDuration } from '@codevf/protocol/shared';
import { Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { Timeline } from '../../components/Timeline';
import { UntrustedText } from '../../components/UntrustedText';
import { useNow } from '../../hooks/useNow';
import { plural } from '../../lib/format';
import { useLiveSession } from '../../live/useLiveSession';
import { Link } from '../../router/router';
import { ChatComposer } from './ChatComposer';
import { ConnectionBanner } from './ConnectionBanner';
import { EndSessionButton } from './EndSessionButton';
import { RequestForm } from './RequestForm';
import { ScreenshareForm } from './ScreenshareForm';
import { SessionStats } from './SessionStats';

/** A claimed task's live session as the engineer works it: conversation on one side, requests on the other. */
export function LiveSessionView({ task }: { task: Task }) {
  const live = useLiveSession(task.id, true);
  const { state, connection } = live;
  const ended = state.status === 'ended';
  const now = useNow(!ended);
  const started = state.startedAt ?? task.claimedAt;
  const elapsedMs = started ? (state.ended ? Date.parse(state.ended.at) : now) - Date.parse(started) : 0;

  return (
    <div className="page session-page">
      <PageHeader
        title="Live session"
        subtitle={
          <span className="session-desc">
            <UntrustedText text={task.description} keepNewlines />
          </span>
        }
        actions={!ended ? <EndSessionButton send={live.send} /> : null}
      />
      <ConnectionBanner connection={connection} ended={ended} />
      {live.serverError ? (
        <Notice tone="warn" title="The server refused a message" onDismiss={live.clearServerError}>
          {live.serverError}
        </Notice>
      ) : null}
      <SessionStats task={task} state={state} ended={ended} elapsedMs={elapsedMs} />
      {state.billing?.warning === 'low_balance' ? (
        <Notice tone="warn">The customer is running low on credits; the session may end soon.</Notice>
      ) : null}
      {state.ended ? (
        <Notice tone="info" title="Session ended">
          Ended by {state.ended.endedBy}
          {state.ended.reason ? (
            <>
              {' ('}
              <UntrustedText text={state.ended.reason} />)
            </>
          ) : null}{' '}
          after {formatSessionDuration(state.ended.summary.durationSeconds)};{' '}
          {state.ended.summary.billedMinutes === undefined
            ? ''
            : `${formatBilledMinutes(state.ended.summary.billedMinutes)} billed, `}
          {plural(state.ended.summary.creditsUsed, 'credit')} used. <Link href="/queue">Back to the queue</Link>
        </Notice>
      ) : null}
      <div className="session-grid">
        <section className="session-main" aria-label="Conversation">
          <Timeline state={state} viewer="engineer" now={now} />
          {!ended ? <ChatComposer send={live.send} /> : null}
        </section>
        {!ended ? (
          <aside className="session-tools" aria-label="Requests">
            <RequestForm kind="command" send={live.send} />
            <RequestForm kind="file" send={live.send} />
            <ScreenshareForm send={live.send} />
          </aside>
        ) : null}
      </div>
    </div>
  );
}
