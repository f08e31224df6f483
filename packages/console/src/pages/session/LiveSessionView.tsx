import type { Task } from '@codevf/protocol';
import { useState } from 'react';
import { api } from '../../api/api';
import { HandoffSummary } from '../../components/HandoffSummary';
import { Notice } from '../../components/Notice';
import { TakeOverButton } from '../../components/TakeOverButton';
import { TaskHeader } from '../../components/TaskHeader';
import { Timeline } from '../../components/Timeline';
import { useNow } from '../../hooks/useNow';
import type { WelcomeRole } from '../../live/sessionState';
import { useLiveSession } from '../../live/useLiveSession';
import { Link } from '../../router/router';
import { ChatComposer } from './ChatComposer';
import { EndSessionButton } from './EndSessionButton';
import { GuideNotice } from './GuideNotice';
import { LiveNotices } from './LiveNotices';
import { ProjectPanel } from './ProjectPanel';
import { type PreparedRequest, RequestForm } from './RequestForm';
import { ScreenshareForm } from './ScreenshareForm';
import { SessionEndedNotice } from './SessionEndedNotice';
import { SessionList } from './SessionList';
import { SessionStats } from './SessionStats';

/**
 * A task's live session as an engineer works it: conversation on one side, requests on the
 * other. The server's welcome decides the role: the task's `engineer` gets the tools; a `guide`
 * (an engineer steering the AI that leads the task) reads everything and writes guidance only,
 * and may take the task over, which reconnects them as its engineer. Until the welcome, the
 * role the task implies is shown, so the page does not flicker.
 */
export function LiveSessionView({
  task,
  userId,
  onTaskChanged,
}: {
  task: Task;
  userId: string;
  /** Asked to load the task again (after a take-over changed its engineer). */
  onTaskChanged?: () => void;
}) {
  const live = useLiveSession(task.id, true, task.description);
  const { state } = live;
  const [tookOver, setTookOver] = useState(false);
  const [prepared, setPrepared] = useState<PreparedRequest | null>(null);
  const expected: WelcomeRole = tookOver || task.engineer?.id === userId || !task.aiLed ? 'engineer' : 'guide';
  const role = live.role ?? expected;
  const ended = state.status === 'ended';
  const now = useNow(!ended);
  const started = state.startedAt ?? task.claimedAt;
  const elapsedMs = started ? (state.ended ? Date.parse(state.ended.at) : now) - Date.parse(started) : 0;
  const handoff = state.handoff ?? task.handoff ?? null;
  // A guide steers the AI; once the AI has left, there is nothing to guide.
  const guiding = role === 'guide' && !ended && !state.handoff;
  const tools = !ended && role === 'engineer';

  async function takeOver() {
    await api.takeover(task.id);
    setTookOver(true);
    live.reconnect();
    onTaskChanged?.();
  }

  return (
    <div className="page session-page">
      <TaskHeader
        title={role === 'guide' ? 'Guiding the AI' : 'Live session'}
        description={task.description}
        actions={
          ended ? null : role === 'engineer' ? (
            <EndSessionButton send={live.send} />
          ) : guiding ? (
            <TakeOverButton takeOver={takeOver} />
          ) : null
        }
      />
      <SessionList current={task.id} />
      <LiveNotices live={live} ended={ended} />
      {role === 'guide' ? <GuideNotice state={state} guiding={guiding} /> : null}
      {role === 'customer' || role === 'unknown' ? (
        <Notice tone="warn" title="Read only">
          The server opened this session for you in a role this console does not offer ({role}). You can read it, but
          not act in it.
        </Notice>
      ) : null}
      <SessionStats task={task} state={state} ended={ended} elapsedMs={elapsedMs} />
      {state.billing?.warning === 'low_balance' ? (
        <Notice tone="warn">The customer is running low on credits; the session may end soon.</Notice>
      ) : null}
      {state.ended ? (
        <SessionEndedNotice ended={state.ended} endedBy={state.ended.endedBy}>
          <Link href="/queue">Back to the queue</Link>
        </SessionEndedNotice>
      ) : null}
      {handoff ? <HandoffSummary handoff={handoff} /> : null}
      <div className={`session-grid${tools ? '' : ' session-grid-single'}`}>
        <section className="session-main" aria-label="Conversation">
          <Timeline state={state} viewer={role === 'engineer' ? 'engineer' : 'guide'} now={now} />
          {ended ? null : role === 'engineer' ? (
            <ChatComposer send={live.send} />
          ) : guiding ? (
            <ChatComposer send={live.send} kind="guide_message" />
          ) : null}
        </section>
        {tools ? (
          <aside className="session-tools" aria-label="Requests">
            {task.projectId ? (
              <ProjectPanel
                projectId={task.projectId}
                onPrepareCommand={(command) =>
                  setPrepared({ target: command, reason: 'Run the project’s tests', at: Date.now() })
                }
              />
            ) : null}
            <RequestForm kind="command" send={live.send} prepared={prepared} />
            <RequestForm kind="file" send={live.send} />
            <ScreenshareForm send={live.send} />
          </aside>
        ) : null}
      </div>
    </div>
  );
}
