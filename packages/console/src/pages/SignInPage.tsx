import { type FormEvent, useState } from 'react';
import { asApiError } from '../api/apiError';
import { useAuth } from '../auth/AuthProvider';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { useAction } from '../hooks/useAction';
import { Link, navigate, safeLocalPath, useLocation } from '../router/router';

/**
 * Sign-in. Shown at /signin, and in place of any page that needs a signed-in user (the URL
 * stays, so the page the user wanted, such as /device?user_code=…, opens right after).
 */
export function SignInPage({ inline = false }: { inline?: boolean }) {
  const { signIn, expired } = useAuth();
  const { pathname, search } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction((err) => asApiError(err, 'Sign-in failed.'));
  const isDevice = pathname === '/device';

  async function submit(e: FormEvent) {
    e.preventDefault();
    await run(async () => {
      await signIn(email.trim(), password);
      if (!inline) navigate(safeLocalPath(new URLSearchParams(search).get('next')), { replace: true });
    });
  }

  const message = error?.code === 'E_UNAUTHORIZED' ? 'Wrong email or password.' : (error?.message ?? null);
  const here = `${pathname}${search}`;
  return (
    <div className="center-page">
      <div className="card narrow">
        <PageHeader
          title="Sign in"
          subtitle={isDevice ? 'Sign in to approve the login from your terminal.' : 'Sign in to the CodeVF console.'}
        />
        {expired ? <Notice tone="warn">Your session expired. Sign in again.</Notice> : null}
        {message ? <Notice tone="bad">{message}</Notice> : null}
        <form onSubmit={submit} className="form" noValidate>
          <Field
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={error?.fields.email}
          />
          <Field
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={error?.fields.password}
          />
          <button type="submit" className="btn primary wide" disabled={busy || !email || !password}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="muted small-print">
          No account?{' '}
          <Link
            href={`/signup?next=${encodeURIComponent(inline ? here : safeLocalPath(new URLSearchParams(search).get('next')))}`}
          >
            Create one
          </Link>{' '}
          (if this server allows sign-up), or ask an admin.
        </p>
      </div>
    </div>
  );
}
