import type { Task } from '@codevf/protocol';
import { type FormEvent, type KeyboardEvent, type ReactNode, useEffect, useState } from 'react';
import { api } from '../api/api';
import { ApiError } from '../api/apiError';
import { useUser } from '../auth/AuthProvider';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { ErrorState, Loading } from '../components/States';
import { Timeline } from '../components/Timeline';
import { useAsync } from '../hooks/useAsync';
import { useNow } from '../hooks/useNow';
import { formatDuration, formatElapsed, plural } from '../lib/format';
import type { Connection } from '../live/useLiveSession';
import { useLiveSession } from '../live/useLiveSession';
import { Link, navigate } from '../router/router';

// Size limits are the server's to enforce (it answers E_VALIDATION / E_TOO_LARGE, shown next to
// the form); importing them from the protocol package would pull zod into the bundle.

/**
 * The engineer's live session: chat, requests to run a command / read a file / look at a
 * screen, and the customer's answers as they come. The engineer never sees anything the
 * customer did not approve: output and files only arrive through the customer's client.
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
      <div className="page">
        <PageHeader title="Session" />
        {task.error.code === 'E_FORBIDDEN' || task.error.code === 'E_NOT_FOUND' ? (
          <Notice tone="bad" title="You cannot open this session">
            Only the engineer who claimed a task can open its session. {task.error.message}
          </Notice>
        ) : (
          <ErrorState error={task.error} retry={task.reload} />
        )}
        <p>
          <Link href="/queue">Back to the queue</Link>
        </p>
      </div>
    );
  }
  if (!t) return <Loading label="Opening the session…" />;
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
          The live console is for engineers.{' '}
          <Link href={`/tasks/${encodeURIComponent(taskId)}`}>Open the transcript</Link>.
        </Notice>
      </div>
    );
  }
  return ended ? <Loading /> : <LiveView task={t} />;
}

function LiveView({ task }: { task: Task }) {
  const live = useLiveSession(task.id, true);
  const { state, connection } = live;
  const ended = state.status === 'ended';
  const waiting = Object.values(state.requests).filter((r) => r.state === 'pending').length;
  const now = useNow(!ended);
  const started = state.startedAt ?? task.claimedAt;
  const elapsedMs = started ? (state.ended ? Date.parse(state.ended.at) : now) - Date.parse(started) : 0;

  return (
    <div className="page session-page">
      <PageHeader
        title="Live session"
        subtitle={<span className="session-desc">{task.description}</span>}
        actions={!ended ? <EndSession send={live.send} /> : null}
      />
      <ConnectionBanner connection={connection} ended={ended} />
      {live.serverError ? (
        <Notice tone="warn" title="The server refused a message" onDismiss={live.clearServerError}>
          {live.serverError}
        </Notice>
      ) : null}
      <dl className="session-stats">
        <div>
          <dt>Customer</dt>
          <dd>{task.customerName ?? 'Customer'}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd data-testid="session-status">{ended ? 'ended' : (state.status ?? task.status)}</dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd data-testid="elapsed">{formatElapsed(elapsedMs)}</dd>
        </div>
        <div>
          <dt>Credits used</dt>
          <dd data-testid="credits-used">
            {state.billing?.creditsUsed ?? task.creditsUsed}
            {state.billing ? <span className="muted"> · {state.billing.ratePerMinute}/min</span> : null}
          </dd>
        </div>
        <div>
          <dt>Waiting on customer</dt>
          <dd>{plural(waiting, 'request')}</dd>
        </div>
      </dl>
      {state.billing?.warning === 'low_balance' ? (
        <Notice tone="warn">The customer is running low on credits; the session may end soon.</Notice>
      ) : null}
      {state.ended ? (
        <Notice tone="info" title="Session ended">
          Ended by {state.ended.endedBy}
          {state.ended.reason ? ` (${state.ended.reason})` : ''} after{' '}
          {formatDuration(state.ended.summary.durationSeconds)}; {plural(state.ended.summary.creditsUsed, 'credit')}{' '}
          used. <Link href="/queue">Back to the queue</Link>
        </Notice>
      ) : null}
      <div className="session-grid">
        <section className="session-main" aria-label="Conversation">
          <Timeline state={state} viewer="engineer" now={now} />
          {!ended ? <ChatComposer send={live.send} /> : null}
        </section>
        {!ended ? (
          <aside className="session-tools" aria-label="Requests">
            <CommandForm send={live.send} />
            <FileForm send={live.send} />
            <ScreenshareForm send={live.send} />
          </aside>
        ) : null}
      </div>
    </div>
  );
}

function ConnectionBanner({ connection, ended }: { connection: Connection; ended: boolean }) {
  if (ended || connection.state === 'live' || connection.state === 'closed') return null;
  if (connection.state === 'connecting') {
    return (
      <Notice tone="info" title="Connecting…">
        Joining the live session.
      </Notice>
    );
  }
  if (connection.state === 'reconnecting') {
    return (
      <Notice tone="warn" title="Reconnecting…">
        The connection dropped{connection.attempt > 1 ? ` (attempt ${connection.attempt})` : ''}. Nothing is lost: the
        session resumes where it left off, and anything you send now goes out once it is back.
      </Notice>
    );
  }
  return (
    <Notice tone="bad" title="Disconnected">
      {connection.reason ?? 'The live connection closed.'} Reload the page to try again.
    </Notice>
  );
}

type Send = ReturnType<typeof useLiveSession>['send'];

/** Shared submit handling: busy state, the server's refusal shown next to the form. */
function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  async function run(action: () => Promise<unknown>, done: string, reset: () => void) {
    setBusy(true);
    setError(null);
    setSent(null);
    try {
      await action();
      reset();
      setSent(done);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not send.');
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, sent, run, clear: () => setSent(null) };
}

function ChatComposer({ send }: { send: Send }) {
  const [text, setText] = useState('');
  const s = useSubmit();
  function submit(e?: FormEvent) {
    e?.preventDefault();
    const body = text.trim();
    if (!body || s.busy) return;
    void s.run(
      () => send('engineer_message', { text: body }),
      '',
      () => setText(''),
    );
  }
  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter adds a line: the usual chat convention.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }
  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="chat-input" className="visually-hidden">
        Message to the customer
      </label>
      <textarea
        id="chat-input"
        rows={2}
        placeholder="Message the customer (Enter to send, Shift+Enter for a new line)"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
      />
      <button type="submit" className="btn primary" disabled={s.busy || !text.trim()}>
        {s.busy ? 'Sending…' : 'Send'}
      </button>
      {s.error ? <p className="field-error">{s.error}</p> : null}
    </form>
  );
}

function ToolForm({
  title,
  hint,
  children,
  onSubmit,
  status,
}: {
  title: string;
  hint: string;
  children: ReactNode;
  onSubmit: (e: FormEvent) => void;
  status: ReturnType<typeof useSubmit>;
}) {
  return (
    <form className="tool card" onSubmit={onSubmit}>
      <h2>{title}</h2>
      <p className="muted small-print">{hint}</p>
      {children}
      {status.error ? (
        <p className="field-error" role="alert">
          {status.error}
        </p>
      ) : null}
      {status.sent ? (
        <p className="field-ok" role="status">
          {status.sent}
        </p>
      ) : null}
    </form>
  );
}

function CommandForm({ send }: { send: Send }) {
  const [command, setCommand] = useState('');
  const [reason, setReason] = useState('');
  const s = useSubmit();
  return (
    <ToolForm
      title="Ask to run a command"
      hint="The customer sees the exact command and your reason, and decides."
      status={s}
      onSubmit={(e) => {
        e.preventDefault();
        if (!command.trim()) return;
        void s.run(
          () => send('request_command', { command: command.trim(), reason: reason.trim() }),
          'Asked. Waiting for the customer.',
          () => {
            setCommand('');
            setReason('');
          },
        );
      }}
    >
      <label htmlFor="cmd">Command</label>
      <input
        id="cmd"
        className="mono"
        value={command}
        placeholder="npm test"
        onChange={(e) => setCommand(e.target.value)}
      />
      <label htmlFor="cmd-reason">Reason</label>
      <input
        id="cmd-reason"
        value={reason}
        placeholder="See which test fails"
        onChange={(e) => setReason(e.target.value)}
      />
      <button type="submit" className="btn primary" disabled={s.busy || !command.trim()}>
        Request command
      </button>
    </ToolForm>
  );
}

function FileForm({ send }: { send: Send }) {
  const [path, setPath] = useState('');
  const [reason, setReason] = useState('');
  const s = useSubmit();
  return (
    <ToolForm
      title="Ask for a file"
      hint="A path inside the project. Secrets in it are masked before it is sent."
      status={s}
      onSubmit={(e) => {
        e.preventDefault();
        if (!path.trim()) return;
        void s.run(
          () => send('request_file', { path: path.trim(), reason: reason.trim() }),
          'Asked. Waiting for the customer.',
          () => {
            setPath('');
            setReason('');
          },
        );
      }}
    >
      <label htmlFor="file-path">Path</label>
      <input
        id="file-path"
        className="mono"
        value={path}
        placeholder="src/auth.js"
        onChange={(e) => setPath(e.target.value)}
      />
      <label htmlFor="file-reason">Reason</label>
      <input
        id="file-reason"
        value={reason}
        placeholder="Check the token check"
        onChange={(e) => setReason(e.target.value)}
      />
      <button type="submit" className="btn primary" disabled={s.busy || !path.trim()}>
        Request file
      </button>
    </ToolForm>
  );
}

/** Only web links: anything else would not open as a screenshare anyway. */
export function screenshareProblem(url: string): string | null {
  try {
    const u = new URL(url.trim());
    return u.protocol === 'https:' || u.protocol === 'http:' ? null : 'Use an https:// link.';
  } catch {
    return 'Paste a full link, such as https://meet.example.com/abc.';
  }
}

function ScreenshareForm({ send }: { send: Send }) {
  const [url, setUrl] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const s = useSubmit();
  return (
    <ToolForm
      title="Share a screen link"
      hint="Sends a meeting link; the customer opens it if they want."
      status={s}
      onSubmit={(e) => {
        e.preventDefault();
        const p = screenshareProblem(url);
        setProblem(p);
        if (p) return;
        void s.run(
          () => send('screenshare_request', { url: url.trim() }),
          'Link sent.',
          () => setUrl(''),
        );
      }}
    >
      <label htmlFor="share-url">Link</label>
      <input
        id="share-url"
        type="url"
        value={url}
        placeholder="https://meet.example.com/abc"
        aria-invalid={problem ? true : undefined}
        onChange={(e) => {
          setUrl(e.target.value);
          setProblem(null);
        }}
      />
      {problem ? <p className="field-error">{problem}</p> : null}
      <button type="submit" className="btn" disabled={s.busy || !url.trim()}>
        Send link
      </button>
    </ToolForm>
  );
}

function EndSession({ send }: { send: Send }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming) {
    return (
      <button type="button" className="btn danger" onClick={() => setConfirming(true)}>
        End session
      </button>
    );
  }
  return (
    <div className="confirm">
      <span>End the session for both of you?</span>
      <button
        type="button"
        className="btn danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await send('end_session', { reason: 'ended by the engineer' });
          } catch (err) {
            setError(err instanceof ApiError || err instanceof Error ? err.message : 'Could not end the session.');
          } finally {
            setBusy(false);
            setConfirming(false);
          }
        }}
      >
        {busy ? 'Ending…' : 'Yes, end it'}
      </button>
      <button type="button" className="btn ghost" disabled={busy} onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {error ? <p className="field-error">{error}</p> : null}
    </div>
  );
}
