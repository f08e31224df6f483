import { MAX_RESOLUTION_CHARS } from '@codevf/protocol/shared';
import { useState } from 'react';
import { errorMessage, useAction } from '../../hooks/useAction';
import type { LiveSend } from './liveSend';

/**
 * Ends the session for both sides, after the engineer confirms, with an optional resolution
 * note: what was found and done, shown in the customer's summary and in the task's history.
 */
export function EndSessionButton({ send }: { send: LiveSend }) {
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState('');
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
      <label htmlFor="end-resolution">Resolution note (optional; the customer sees it in their summary)</label>
      <textarea
        id="end-resolution"
        rows={3}
        maxLength={MAX_RESOLUTION_CHARS}
        value={note}
        placeholder="What was wrong and what you changed"
        onChange={(e) => setNote(e.target.value)}
      />
      <button
        type="button"
        className="btn danger"
        disabled={busy}
        onClick={async () => {
          const resolution = note.trim();
          await run(() =>
            send('end_session', { reason: 'ended by the engineer', ...(resolution ? { resolution } : {}) }),
          );
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
