import { useEffect, useRef, useState } from 'react';
import type { LiveSend } from './liveSend';
import { ToolForm } from './ToolForm';
import { useSubmit } from './useSubmit';

/** What the engineer can ask the customer's client for, each answered by the customer's approval. */
export type RequestKind = 'command' | 'file';

interface RequestKindSpec {
  title: string;
  hint: string;
  /** The input holding what is asked for: the command line, or the file's path. */
  target: { id: string; label: string; placeholder: string };
  reason: { id: string; placeholder: string };
  submit: string;
  ask(send: LiveSend, target: string, reason: string): Promise<unknown>;
}

// Size limits are the server's to enforce (it answers E_VALIDATION / E_TOO_LARGE, shown next to
// the form by `ToolForm`); importing them from the protocol package would pull zod into the bundle.

const KINDS: Record<RequestKind, RequestKindSpec> = {
  command: {
    title: 'Ask to run a command',
    hint: 'The customer sees the exact command and your reason, and decides.',
    target: { id: 'cmd', label: 'Command', placeholder: 'npm test' },
    reason: { id: 'cmd-reason', placeholder: 'See which test fails' },
    submit: 'Request command',
    ask: (send, command, reason) => send('request_command', { command, reason }),
  },
  file: {
    title: 'Ask for a file',
    hint: 'A path inside the project. Secrets in it are masked before it is sent.',
    target: { id: 'file-path', label: 'Path', placeholder: 'src/auth.js' },
    reason: { id: 'file-reason', placeholder: 'Check the token check' },
    submit: 'Request file',
    ask: (send, path, reason) => send('request_file', { path, reason }),
  },
};

/** A request prepared elsewhere (the project panel): fills the form; `at` tells two alike apart. */
export interface PreparedRequest {
  target: string;
  reason: string;
  at: number;
}

/** Asks the customer to run a command or to send a file, with the engineer's reason. */
export function RequestForm({
  kind,
  send,
  prepared,
}: {
  kind: RequestKind;
  send: LiveSend;
  prepared?: PreparedRequest | null;
}) {
  const text = KINDS[kind];
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const targetRef = useRef<HTMLInputElement>(null);
  const s = useSubmit();
  useEffect(() => {
    if (!prepared) return;
    setTarget(prepared.target);
    setReason(prepared.reason);
    targetRef.current?.focus();
  }, [prepared]);
  return (
    <ToolForm
      title={text.title}
      hint={text.hint}
      status={s}
      onSubmit={(e) => {
        e.preventDefault();
        if (!target.trim()) return;
        void s.run(
          () => text.ask(send, target.trim(), reason.trim()),
          'Asked. Waiting for the customer.',
          () => {
            setTarget('');
            setReason('');
          },
        );
      }}
    >
      <label htmlFor={text.target.id}>{text.target.label}</label>
      <input
        ref={targetRef}
        id={text.target.id}
        className="mono"
        value={target}
        placeholder={text.target.placeholder}
        onChange={(e) => setTarget(e.target.value)}
      />
      <label htmlFor={text.reason.id}>Reason</label>
      <input
        id={text.reason.id}
        value={reason}
        placeholder={text.reason.placeholder}
        onChange={(e) => setReason(e.target.value)}
      />
      <button type="submit" className="btn primary" disabled={s.busy || !target.trim()}>
        {text.submit}
      </button>
    </ToolForm>
  );
}
