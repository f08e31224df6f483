import { type FormEvent, type KeyboardEvent, useState } from 'react';
import type { LiveSend } from './liveSend';
import { useSubmit } from './useSubmit';

/**
 * The kinds of line written in the console: the engineer's chat to the customer, a guide's
 * guidance to the AI, and the customer's chat to whoever leads the session.
 */
const KINDS = {
  engineer_message: {
    id: 'chat-input',
    label: 'Message to the customer',
    showLabel: false,
    placeholder: 'Message the customer (Enter to send, Shift+Enter for a new line)',
    button: 'Send',
  },
  guide_message: {
    id: 'guide-input',
    label: 'Guidance for the AI',
    showLabel: true,
    placeholder: 'Tell the AI what to try next; the customer sees it too (Enter to send, Shift+Enter for a new line)',
    button: 'Send guidance',
  },
  customer_message: {
    id: 'chat-input',
    label: 'Message to the engineer',
    showLabel: false,
    placeholder: 'Message the engineer (Enter to send, Shift+Enter for a new line)',
    button: 'Send',
  },
} as const;

/** The message box under the conversation: chat, or for a guide, guidance for the AI. */
export function ChatComposer({ send, kind = 'engineer_message' }: { send: LiveSend; kind?: keyof typeof KINDS }) {
  const k = KINDS[kind];
  const [text, setText] = useState('');
  const s = useSubmit();
  function submit(e?: FormEvent) {
    e?.preventDefault();
    const body = text.trim();
    if (!body || s.busy) return;
    void s.run(
      () => send(kind, { text: body }),
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
    <form className={`composer composer-${kind === 'guide_message' ? 'guide' : 'chat'}`} onSubmit={submit}>
      <label htmlFor={k.id} className={k.showLabel ? 'composer-label' : 'visually-hidden'}>
        {k.label}
      </label>
      <textarea
        id={k.id}
        rows={2}
        placeholder={k.placeholder}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
      />
      <button type="submit" className="btn primary" disabled={s.busy || !text.trim()}>
        {s.busy ? 'Sending…' : k.button}
      </button>
      {s.error ? <p className="field-error">{s.error}</p> : null}
    </form>
  );
}
