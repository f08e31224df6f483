import { useState } from 'react';
import type { LiveSend } from './liveSend';
import { screenshareProblem } from './screenshareProblem';
import { ToolForm } from './ToolForm';
import { useSubmit } from './useSubmit';

/** Sends the customer a meeting link to share a screen. */
export function ScreenshareForm({ send }: { send: LiveSend }) {
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
