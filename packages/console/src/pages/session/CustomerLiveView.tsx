import type { Task } from '@codevf/protocol';
import { HandoffSummary } from '../../components/HandoffSummary';
import { Notice } from '../../components/Notice';
import { TaskHeader } from '../../components/TaskHeader';
import { Timeline } from '../../components/Timeline';
import { UntrustedText } from '../../components/UntrustedText';
import { useNow } from '../../hooks/useNow';
import { plural } from '../../lib/format';
import { useLiveSession } from '../../live/useLiveSession';
import { Link } from '../../router/router';
import { ChatComposer } from './ChatComposer';
import { LiveNotices } from './LiveNotices';
import { SessionEndedNotice } from './SessionEndedNotice';
import { SessionFigures } from './SessionStats';

/**
 * The customer's session in the browser, to follow it from another device than the terminal:
 * the conversation and the requests' outcomes as they happen, and chat. Requests are answered
 * only in the terminal where the commands run (the server refuses anything but chat from a
 * console socket), so a pending one is shown as waiting there.
 */
export function CustomerLiveView({ task }: { task: Task }) {
  const live = useLiveSession(task.id, true, task.description);
  const { state } = live;
  const ended = state.status === 'ended';
  const now = useNow(!ended);
  const started = state.startedAt ?? task.claimedAt;
  const elapsedMs = started ? (state.ended ? Date.parse(state.ended.at) : now) - Date.parse(started) : 0;
  const handoff = state.handoff ?? task.handoff ?? null;
  const pending = Object.values(state.requests).filter((r) => r.state === 'pending').length;
  const status = state.status ?? task.status;
  // Only the customer's own socket may chat; any other role the server gives is read only.
  const canChat = !ended && (live.role ?? 'customer') === 'customer';
  const transcript = `/tasks/${encodeURIComponent(task.id)}`;

  return (
    <div className="page session-page">
      <TaskHeader
        title="Live session"
        description={task.description}
        actions={
          <Link className="btn" href={transcript}>
            Transcript
          </Link>
        }
      />
      <LiveNotices live={live} ended={ended} />
      {pending > 0 && !ended ? (
        <Notice tone="warn" title="Waiting for your approval in the terminal">
          The engineer asked for {plural(pending, 'request')}. Approve or deny in the terminal where <code>codevf</code>{' '}
          runs: commands run and files are read there, never from the browser.
        </Notice>
      ) : null}
      {status === 'queued' && !ended ? (
        <Notice tone="info" title="Waiting for an engineer">
          {state.queuePosition ? `Position ${state.queuePosition} in the queue. ` : ''}You can already describe the
          problem below; the engineer reads it on joining.
        </Notice>
      ) : null}
      {state.billing?.warning === 'low_balance' && !ended ? (
        <Notice tone="warn">You are running low on credits; the session ends when they run out.</Notice>
      ) : null}
      {state.ended ? (
        <SessionEndedNotice
          ended={state.ended}
          endedBy={state.ended.endedBy === 'customer' ? 'you' : state.ended.endedBy}
        >
          <Link href={transcript}>Open the transcript</Link>
        </SessionEndedNotice>
      ) : null}
      <dl className="session-stats">
        <div>
          <dt>Engineer</dt>
          <dd data-testid="session-engineer">
            {state.engineer ? (
              <>
                {state.engineerKind === 'ai' ? <span className="pill pill-ai">AI</span> : null}{' '}
                <UntrustedText text={state.engineer.name} />
                <span className={state.engineerConnected ? 'muted' : 'presence-away'}>
                  {' '}
                  · {state.engineerConnected ? 'connected' : 'disconnected'}
                </span>
              </>
            ) : (
              '—'
            )}
          </dd>
        </div>
        <SessionFigures task={task} state={state} ended={ended} elapsedMs={elapsedMs} />
      </dl>
      {handoff ? <HandoffSummary handoff={handoff} /> : null}
      <div className="session-grid session-grid-single">
        <section className="session-main" aria-label="Conversation">
          <Timeline state={state} viewer="customer" now={now} />
          {canChat ? <ChatComposer send={live.send} kind="customer_message" /> : null}
        </section>
      </div>
    </div>
  );
}
