import { type FormEvent, useState } from 'react';
import { asApiError } from '../api/apiError';
import { useAuth } from '../auth/AuthProvider';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { useAction } from '../hooks/useAction';
import { Link, navigate, safeLocalPath, useLocation } from '../router/router';

/** Self sign-up for customers, when the server allows it (it answers E_FORBIDDEN otherwise). */
export function SignUpPage() {
  const { signUp } = useAuth();
  const { search } = useLocation();
  const next = safeLocalPath(new URLSearchParams(search).get('next'));
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction((err) => asApiError(err, 'Sign-up failed.'));

  async function submit(e: FormEvent) {
    e.preventDefault();
    await run(async () => {
      await signUp(email.trim(), password, name.trim());
      navigate(next, { replace: true });
    });
  }

  const disabled = error?.code === 'E_FORBIDDEN';
  return (
    <div className="center-page">
      <div className="card narrow">
        <PageHeader title="Create an account" subtitle="Customer accounts get live help from an engineer." />
        {disabled ? (
          <Notice tone="warn" title="Sign-up is turned off">
            This server does not allow self sign-up. Ask an admin to create an account for you.
          </Notice>
        ) : error ? (
          <Notice tone="bad">{error.message}</Notice>
        ) : null}
        <form onSubmit={submit} className="form" noValidate>
          <Field
            label="Name"
            name="name"
            autoComplete="name"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={error?.fields.name}
          />
          <Field
            label="Email"
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={error?.fields.email}
          />
          <Field
            label="Password"
            type="password"
            name="password"
            autoComplete="new-password"
            required
            minLength={8}
            hint="At least 8 characters."
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={error?.fields.password}
          />
          <button
            type="submit"
            className="btn primary wide"
            disabled={busy || disabled || !email || !password || !name}
          >
            {busy ? 'Creating…' : 'Create account'}
          </button>
        </form>
        <p className="muted small-print">
          Have an account? <Link href={`/signin?next=${encodeURIComponent(next)}`}>Sign in</Link>
        </p>
      </div>
    </div>
  );
}
