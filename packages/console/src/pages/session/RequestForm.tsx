import { MAX_COMMAND_TIMEOUT_SECONDS, MIN_COMMAND_TIMEOUT_SECONDS } from '@codevf/protocol/shared';
import { useState } from 'react';
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
  ask(send: LiveSend, target: string, reason: string, place: CommandPlace): Promise<unknown>;
}

/** Where and how long a command runs; empty fields are left out (the project root, the customer's default limit). */
interface CommandPlace {
  cwd: string;
  timeout: string;
}

function placePayload(place: CommandPlace): { cwd?: string; timeoutSeconds?: number } {
  const cwd = place.cwd.trim();
  const timeout = place.timeout.trim();
  return { ...(cwd ? { cwd } : {}), ...(timeout ? { timeoutSeconds: Number(timeout) } : {}) };
}

// Size limits are the server's to enforce (it answers E_VALIDATION / E_TOO_LARGE, shown next to
// the form by `ToolForm`); importing them from the protocol package would pull zod into the bundle.

const KINDS: Record<RequestKind, RequestKindSpec> = {
  command: {
    title: 'Ask to run a command',
    hint: "The customer sees the exact command and your reason, and decides. Empty folder: the project root; empty limit: the customer's default (10 min).",
    target: { id: 'cmd', label: 'Command', placeholder: 'npm test' },
    reason: { id: 'cmd-reason', placeholder: 'See which test fails' },
    submit: 'Request command',
    ask: (send, command, reason, place) => send('request_command', { command, reason, ...placePayload(place) }),
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

/** Asks the customer to run a command or to send a file, with the engineer's reason. */
export function RequestForm({ kind, send }: { kind: RequestKind; send: LiveSend }) {
  const text = KINDS[kind];
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [cwd, setCwd] = useState('');
  const [timeout, setTimeoutText] = useState('');
  const s = useSubmit();
  return (
    <ToolForm
      title={text.title}
      hint={text.hint}
      status={s}
      onSubmit={(e) => {
        e.preventDefault();
        if (!target.trim()) return;
        void s.run(
          () => text.ask(send, target.trim(), reason.trim(), { cwd, timeout }),
          'Asked. Waiting for the customer.',
          () => {
            setTarget('');
            setReason('');
            setCwd('');
            setTimeoutText('');
          },
        );
      }}
    >
      <label htmlFor={text.target.id}>{text.target.label}</label>
      <input
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
      {kind === 'command' ? (
        <>
          <label htmlFor="cmd-cwd">Folder (optional, inside the project)</label>
          <input
            id="cmd-cwd"
            className="mono"
            value={cwd}
            placeholder="packages/api"
            onChange={(e) => setCwd(e.target.value)}
          />
          <label htmlFor="cmd-timeout">
            Time limit in seconds (optional, {MIN_COMMAND_TIMEOUT_SECONDS}–{MAX_COMMAND_TIMEOUT_SECONDS})
          </label>
          <input
            id="cmd-timeout"
            type="number"
            inputMode="numeric"
            min={MIN_COMMAND_TIMEOUT_SECONDS}
            max={MAX_COMMAND_TIMEOUT_SECONDS}
            step={1}
            value={timeout}
            placeholder="600"
            onChange={(e) => setTimeoutText(e.target.value)}
          />
        </>
      ) : null}
      <button type="submit" className="btn primary" disabled={s.busy || !target.trim()}>
        {text.submit}
      </button>
    </ToolForm>
  );
}
