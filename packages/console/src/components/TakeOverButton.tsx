import { useState } from 'react';
import { asApiError } from '../api/apiError';
import { useAction } from '../hooks/useAction';

/**
 * Takes an AI-led task over, after the engineer confirms: the AI leaves and the customer's
 * minutes are billed at the human rate from then on, so one stray click must not do it.
 * `describedBy` names the task the button belongs to (lists have one per task).
 */
export function TakeOverButton({
  takeOver,
  describedBy,
  disabled = false,
}: {
  takeOver: () => Promise<unknown>;
  describedBy?: string;
  disabled?: boolean;
}) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction((err) => asApiError(err, 'Could not take the task over.').message);
  if (!confirming) {
    return (
      <span className="take-over">
        <button
          type="button"
          className="btn"
          disabled={disabled}
          aria-describedby={describedBy}
          onClick={() => setConfirming(true)}
        >
          Take over
        </button>
        {error ? (
          <span className="field-error" role="alert">
            {error}
          </span>
        ) : null}
      </span>
    );
  }
  return (
    <span className="confirm take-over">
      <span>The AI leaves and you work the session yourself, at the human rate.</span>
      <button
        type="button"
        className="btn primary"
        disabled={busy}
        onClick={async () => {
          await run(takeOver);
          setConfirming(false);
        }}
      >
        {busy ? 'Taking over…' : 'Yes, take over'}
      </button>
      <button type="button" className="btn ghost" disabled={busy} onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
  );
}
