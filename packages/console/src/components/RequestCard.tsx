import type { EngineerRequest } from '@codevf/protocol/shared';
import { formatBytes, formatClock, formatDuration } from '../lib/format';
import { requestStatus } from '../live/requestStatus';
import { AnsiOutput } from './AnsiOutput';
import { CodeView } from './CodeView';
import { UntrustedText } from './UntrustedText';

/** One engineer request: what was asked and why, its countdown or outcome, and its result. */
export function RequestCard({ request: r, now }: { request: EngineerRequest; now: number }) {
  const status = requestStatus(r, now);
  const title = r.kind === 'command' ? 'Run a command' : 'Read a file';
  return (
    <article className={`request request-${status.tone}`} data-request-id={r.requestId}>
      <header className="request-head">
        <span className="request-kind">{title}</span>
        <code className="request-what">
          <UntrustedText text={r.kind === 'command' ? r.command : r.path} keepNewlines />
        </code>
        <span className={`badge badge-${status.tone}`} data-testid="request-status">
          {status.label}
          {status.countdown ? (
            <span className="countdown" title="Time left to answer">
              {' '}
              {status.countdown}
            </span>
          ) : null}
        </span>
      </header>
      {r.kind === 'command' && (r.cwd !== undefined || r.timeoutSeconds !== undefined) ? (
        <p className="request-place muted" data-testid="request-place">
          {r.cwd !== undefined ? (
            <>
              In folder{' '}
              <code>
                <UntrustedText text={r.cwd} />
              </code>
            </>
          ) : (
            'In the project root'
          )}
          {r.timeoutSeconds !== undefined
            ? ` · time limit ${r.timeoutSeconds % 60 === 0 ? formatDuration(r.timeoutSeconds) : `${r.timeoutSeconds} s`}`
            : null}
        </p>
      ) : null}
      {r.reason ? (
        <p className="request-reason">
          Reason: <UntrustedText text={r.reason} />
        </p>
      ) : null}
      <p className="request-time muted">Asked at {formatClock(r.requestedAt)}</p>
      {r.state === 'denied' && r.declineReason ? (
        <p className="request-reason" data-testid="decline-reason">
          Declined because: <UntrustedText text={r.declineReason} />
        </p>
      ) : null}
      {r.kind === 'command' && (r.state === 'running' || r.state === 'completed' || r.output.length > 0) ? (
        <AnsiOutput chunks={r.output} done={r.state === 'completed'} label={`Output of ${r.command}`} />
      ) : null}
      {r.kind === 'file' && r.state === 'completed' && r.file ? (
        <>
          <p className="muted file-meta">
            {formatBytes(r.file.size)} · sha256 <code title={r.file.sha256}>{r.file.sha256.slice(0, 12)}…</code>
          </p>
          <CodeView content={r.file.content} path={r.file.path || r.path} />
        </>
      ) : null}
      {status.notes.length > 0 ? (
        <ul className="request-notes">
          {status.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
    </article>
  );
}
