import { useEffect } from 'react';
import { api } from '../api/api';
import { useUser } from '../auth/AuthProvider';
import { LoadFailurePage } from '../components/LoadFailurePage';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { Loading } from '../components/States';
import { useAsync } from '../hooks/useAsync';
import { Link, navigate } from '../router/router';
import { CustomerLiveView } from './session/CustomerLiveView';
import { LiveSessionView } from './session/LiveSessionView';

/**
 * The engineer's live session: chat, requests to run a command / read a file / look at a
 * screen, and the customer's answers as they come; or, for an engineer guiding an AI-led task,
 * the session as the AI works it, with guidance for the AI. The engineer never sees anything the
 * customer did not approve: output and files only arrive through the customer's client.
 * The task's customer gets their own view of it (follow and chat; approvals stay in the terminal).
 * This page decides who may open it; the session itself is in `session/`.
 */
export function SessionPage({ taskId }: { taskId: string }) {
  const user = useUser();
  const task = useAsync((signal) => api.task(taskId, signal), [taskId]);
  const t = task.data;
  const ended = t?.status === 'ended';

  useEffect(() => {
    // Finished sessions are read in the transcript view.
    if (ended) navigate(`/tasks/${encodeURIComponent(taskId)}`, { replace: true });
  }, [ended, taskId]);

  if (task.error) {
    return (
      <LoadFailurePage
        title="Session"
        refusedTitle="You cannot open this session"
        whoMayOpen="Only the task's customer, the engineer who claimed it, or an engineer guiding its AI, can open its session."
        error={task.error}
        retry={task.reload}
        back={
          user.role === 'customer'
            ? { href: '/tasks', label: 'Back to tasks' }
            : { href: '/queue', label: 'Back to the queue' }
        }
      />
    );
  }
  if (!t) return <Loading label="Opening the session…" />;
  // The customer may follow (and write in) the session while it still waits in the queue.
  if (user.role === 'customer' && !ended) return <CustomerLiveView task={t} />;
  if (t.status === 'queued') {
    return (
      <div className="page">
        <PageHeader title="Session" />
        <Notice tone="info" title="Not claimed yet">
          This task is still waiting in the queue. <Link href="/queue">Claim it from the queue</Link>.
        </Notice>
      </div>
    );
  }
  if (user.role !== 'engineer') {
    return (
      <div className="page">
        <PageHeader title="Session" />
        <Notice tone="info">
          The live console is for the task's customer and engineer.{' '}
          <Link href={`/tasks/${encodeURIComponent(taskId)}`}>Open the transcript</Link>.
        </Notice>
      </div>
    );
  }
  return ended ? <Loading /> : <LiveSessionView task={t} userId={user.id} onTaskChanged={task.reload} />;
}
