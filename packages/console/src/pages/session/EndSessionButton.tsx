import { useState } from 'react';
import { errorMessage, useAction } from '../../hooks/useAction';
import type { LiveSend } from './liveSend';

/** Ends the session for both sides, after the engineer confirms. */
export function EndSessionButton({ send }: { send: LiveSend }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction((err) => errorMessage(err, 'Could not end the session.'));
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
          await run(() => send('end_session', { reason: 'ended by the engineer' }));
          setConfirming(false);
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
