import type { DeviceInfo } from '@codevf/protocol';
import { formatUserCode, normalizeUserCode, USER_CODE_ALPHABET, USER_CODE_LENGTH } from '@codevf/protocol/constants';
import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../api/api';
import { type ApiError, asApiError } from '../api/apiError';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { ErrorState, Loading } from '../components/States';
import { useAsync } from '../hooks/useAsync';
import { useNow } from '../hooks/useNow';
import { formatAgo, formatCountdown, formatDateTime, msUntil } from '../lib/format';
import { navigate, useLocation } from '../router/router';

/**
 * The device-login approval page (RFC 8628): `codevf login` prints a code and sends the user
 * here. The user checks that the code on this page is the one in their terminal — that check is
 * what stops someone from phishing an approval for a login they started themselves — and that
 * the request came from where they expect, then approves or denies.
 */

const CODE_CHARS = new RegExp(`^[${USER_CODE_ALPHABET}]*$`);

/** Whether a typed code can be a user code at all; saves a rate-limited lookup on typos. */
export function userCodeProblem(typed: string): string | null {
  const code = normalizeUserCode(typed);
  if (code.length === 0) return 'Enter the code shown in your terminal.';
  if (!CODE_CHARS.test(code)) return `Codes use only the letters ${USER_CODE_ALPHABET} (no vowels, no digits).`;
  if (code.length !== USER_CODE_LENGTH) return `A code has ${USER_CODE_LENGTH} letters, like BCDF-GHJK.`;
  return null;
}

/** Formats while typing: upper-case, a dash after the fourth letter. */
export function formatTypedCode(typed: string): string {
  const code = normalizeUserCode(typed).slice(0, USER_CODE_LENGTH);
  return code.length > 4 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

export function DevicePage() {
  const { search } = useLocation();
  const code = new URLSearchParams(search).get('user_code');
  return code ? <DeviceDecision key={code} userCode={code} /> : <CodeEntry />;
}

function CodeEntry({ initial = '', problem }: { initial?: string; problem?: string }) {
  const [typed, setTyped] = useState(initial);
  const [error, setError] = useState<string | null>(problem ?? null);
  function submit(e: FormEvent) {
    e.preventDefault();
    const p = userCodeProblem(typed);
    if (p) {
      setError(p);
      return;
    }
    navigate(`/device?user_code=${encodeURIComponent(formatUserCode(typed))}`);
  }
  return (
    <div className="center-page">
      <div className="card narrow">
        <PageHeader title="Connect a device" subtitle="Enter the code that codevf login shows in your terminal." />
        <form onSubmit={submit} className="form" noValidate>
          <Field
            label="Code"
            name="user_code"
            className="code-input"
            autoComplete="one-time-code"
            autoCapitalize="characters"
            spellCheck={false}
            placeholder="XXXX-XXXX"
            value={typed}
            onChange={(e) => {
              setTyped(formatTypedCode(e.target.value));
              setError(null);
            }}
            error={error ?? undefined}
          />
          <button type="submit" className="btn primary wide">
            Continue
          </button>
        </form>
      </div>
    </div>
  );
}

type Outcome = { kind: 'approved' | 'denied' } | null;

function DeviceDecision({ userCode }: { userCode: string }) {
  const typedProblem = userCodeProblem(userCode);
  const { data, error, loading, reload } = useAsync(
    (signal) => (typedProblem ? Promise.resolve(null) : api.device(userCode, signal)),
    [userCode],
  );
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<'approve' | 'deny' | null>(null);
  const now = useNow(data?.status === 'pending' && !outcome);

  if (typedProblem) return <CodeEntry initial={formatTypedCode(userCode)} problem={typedProblem} />;
  if (loading && !data)
    return (
      <Shell>
        <Loading label="Looking up the code…" />
      </Shell>
    );
  if (error)
    return (
      <Shell>
        <LookupError error={error} code={userCode} retry={reload} />
      </Shell>
    );
  if (!data) return null;

  async function decide(decision: 'approve' | 'deny', info: DeviceInfo) {
    setBusy(decision);
    setActionError(null);
    try {
      if (decision === 'approve') await api.approveDevice(info.userCode);
      else await api.denyDevice(info.userCode);
      setOutcome({ kind: decision === 'approve' ? 'approved' : 'denied' });
    } catch (err) {
      const e = asApiError(err, 'That did not work.');
      setActionError(e);
      // The request may have been decided or expired meanwhile: show its current state.
      if (e.code === 'E_CONFLICT') reload();
    } finally {
      setBusy(null);
    }
  }

  if (outcome?.kind === 'approved') {
    return (
      <Shell>
        <Notice tone="good" title="Device approved">
          Go back to your terminal: <code>codevf</code> finishes signing in within a few seconds.
        </Notice>
      </Shell>
    );
  }
  if (outcome?.kind === 'denied') {
    return (
      <Shell>
        <Notice tone="info" title="Request denied">
          Nothing was signed in. The terminal that asked will report that the login was refused.
        </Notice>
      </Shell>
    );
  }

  // The server's word decides expiry: the browser's clock may be off by minutes.
  const status = data.status;
  const msLeft = msUntil(data.expiresAt, now);
  return (
    <Shell>
      {actionError ? <Notice tone="bad">{actionError.message}</Notice> : null}
      {status === 'expired' ? (
        <Notice tone="warn" title="This code expired">
          Codes are valid for 10 minutes. Run <code>codevf login</code> again to get a new one.
        </Notice>
      ) : status === 'approved' ? (
        <Notice tone="info" title="Already used">
          This code was already approved. If that was not you, sign out everywhere and tell an admin.
        </Notice>
      ) : status === 'denied' ? (
        <Notice tone="info" title="Already denied">
          This request was denied. Run <code>codevf login</code> again if you want to sign in.
        </Notice>
      ) : null}
      <section aria-labelledby="compare-heading" className="device-compare">
        <h2 id="compare-heading" className="compare-label">
          Check that your terminal shows this code
        </h2>
        <p className="user-code" data-testid="user-code">
          {data.userCode}
        </p>
      </section>
      <dl className="facts">
        <div>
          <dt>Application</dt>
          <dd data-testid="client-name">
            {data.clientName} <span className="muted">({data.clientId})</span>
          </dd>
        </div>
        <div>
          <dt>Asked</dt>
          <dd>
            {formatDateTime(data.requestedAt)} <span className="muted">({formatAgo(data.requestedAt, now)})</span>
          </dd>
        </div>
        <div>
          <dt>From IP address</dt>
          <dd data-testid="client-ip">{data.ip}</dd>
        </div>
        <div>
          <dt>Device</dt>
          <dd className="break">{data.userAgent ?? <span className="muted">not given</span>}</dd>
        </div>
        {status === 'pending' ? (
          <div>
            <dt>Expires in</dt>
            <dd>{msLeft > 0 ? formatCountdown(msLeft) : 'any moment now'}</dd>
          </div>
        ) : null}
      </dl>
      {status === 'pending' ? (
        <>
          <p>
            Approve only if you just ran <code>codevf login</code> yourself and the code matches. Approving lets that
            terminal act as your account.
          </p>
          <div className="actions">
            <button
              type="button"
              className="btn primary"
              disabled={busy !== null}
              onClick={() => decide('approve', data)}
            >
              {busy === 'approve' ? 'Approving…' : 'Approve'}
            </button>
            <button type="button" className="btn danger" disabled={busy !== null} onClick={() => decide('deny', data)}>
              {busy === 'deny' ? 'Denying…' : 'Deny'}
            </button>
          </div>
        </>
      ) : null}
      <p className="small-print">
        <button type="button" className="linkish" onClick={() => navigate('/device')}>
          Enter a different code
        </button>
      </p>
    </Shell>
  );
}

function LookupError({ error, code, retry }: { error: ApiError; code: string; retry: () => void }) {
  if (error.code === 'E_NOT_FOUND') {
    return (
      <>
        <Notice tone="bad" title="Code not found">
          No sign-in request has the code <strong>{formatTypedCode(code)}</strong>. Check it against your terminal, or
          run <code>codevf login</code> again.
        </Notice>
        <CodeEntryInline />
      </>
    );
  }
  if (error.code === 'E_RATE_LIMITED') {
    return (
      <Notice tone="bad" title="Too many codes tried">
        For your safety, code lookups are limited. Wait a few minutes, then try again.
      </Notice>
    );
  }
  if (error.code === 'E_VALIDATION') {
    return (
      <>
        <Notice tone="bad" title="That is not a valid code">
          {error.message}
        </Notice>
        <CodeEntryInline />
      </>
    );
  }
  return <ErrorState error={error} retry={retry} />;
}

function CodeEntryInline() {
  return (
    <p>
      <button type="button" className="btn" onClick={() => navigate('/device')}>
        Enter the code again
      </button>
    </p>
  );
}

function Shell({ children }: { children: ReactNode }) {
  return (
    <div className="center-page">
      <div className="card narrow">
        <PageHeader title="Approve a device login" subtitle="A terminal is asking to sign in to your CodeVF account." />
        {children}
      </div>
    </div>
  );
}
