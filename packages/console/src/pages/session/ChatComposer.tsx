import { type FormEvent, type KeyboardEvent, useState } from 'react';
import type { LiveSend } from './liveSend';
import { useSubmit } from './useSubmit';

/** The engineer's message box under the conversation. */
export function ChatComposer({ send }: { send: LiveSend }) {
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
