import type { Task } from '@codevf/protocol';
import { formatDateTime } from '../lib/format';
import { handoffReasonLabel } from '../lib/handoff';
import { ExpandableText } from './ExpandableText';
import { MessageText } from './MessageText';
import { UntrustedText } from './UntrustedText';

/** A hand-over as the task (REST) or the transcript (the `handoff` event, which adds `detail`) knows it. */
export type HandoffInfo = NonNullable<Task['handoff']> & { detail?: string };

/**
 * The AI's hand-over, read first by the engineer who picks the task up: why it handed over,
 * what went wrong (for a model failure or a spent budget) and its summary of the session.
 */
export function HandoffSummary({ handoff }: { handoff: HandoffInfo }) {
  return (
    <section className="card handoff-card" aria-label="AI hand-over summary">
      <h2 className="handoff-title">
        <span className="pill pill-ai" aria-hidden="true">
          AI
        </span>{' '}
        Handed over by the AI
      </h2>
      <p className="handoff-reason">
        <strong>{handoffReasonLabel(handoff.reason)}</strong>
        {handoff.at ? <span className="muted"> · {formatDateTime(handoff.at)}</span> : null}
      </p>
      {handoff.detail ? (
        <p className="handoff-detail">
          <span className="muted">What went wrong: </span>
          <UntrustedText text={handoff.detail} />
        </p>
      ) : null}
      {handoff.summary.trim() ? (
        <div className="handoff-summary" data-testid="handoff-summary">
          <MessageText text={handoff.summary} />
        </div>
      ) : (
        <p className="muted">The AI left no summary; the whole session is below.</p>
      )}
    </section>
  );
}

/** A hand-over in a queue entry: the badge, the reason and the summary cut short (expandable). */
export function HandoffBrief({ handoff }: { handoff: HandoffInfo }) {
  return (
    <div className="handoff-brief">
      <p className="queue-meta">
        <span className="pill pill-ai">Handed over by the AI</span>
        <span>{handoffReasonLabel(handoff.reason)}</span>
      </p>
      {handoff.summary.trim() ? <ExpandableText text={handoff.summary} max={160} what="summary" /> : null}
    </div>
  );
}
