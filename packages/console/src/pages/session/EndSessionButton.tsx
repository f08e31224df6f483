import { useState } from 'react';
import type { LiveSend } from './liveSend';

/** Ends the session for both sides, after the engineer confirms. */
export function EndSessionButton({ send }: { send: LiveSend }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A refused end closes the confirmation, so its reason shows beside the button, not inside it.
  if (!confirming) {
    return (
      <>
        <button type="button" className="btn danger" onClick={() => setConfirming(true)}>
          End session
        </button>
        {error ? <p className="field-error">{error}</p> : null}
      </>
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
            setError(err instanceof Error ? err.message : 'Could not end the session.');
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
