import type { PasswordChanged } from '@codevf/protocol';
import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { asApiError } from '../api/apiError';
import { useAuth } from '../auth/AuthProvider';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { useAction } from '../hooks/useAction';

/** The signed-in user's own account: who they are, and a password change. */
export function AccountPage() {
  const { user } = useAuth();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState<PasswordChanged | null>(null);
  const { busy, error, run } = useAction((err) => asApiError(err, 'The password could not be changed.'));
  const mismatch = repeat !== '' && repeat !== newPassword;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (mismatch) return;
    setDone(null);
    const ok = await run(async () => setDone(await api.changePassword(currentPassword, newPassword)));
    if (ok) {
      setCurrentPassword('');
      setNewPassword('');
      setRepeat('');
    }
  }

  return (
    <div className="page">
      <PageHeader title="Account" subtitle={user ? `${user.name} · ${user.email} · ${user.role}` : undefined} />
      <div className="card narrow">
        <h2>Change password</h2>
        {done ? (
          <Notice tone="good" title="Password changed">
            {done.otherSessionsEnded > 0
              ? `Signed out of ${done.otherSessionsEnded} other console session${done.otherSessionsEnded === 1 ? '' : 's'}. `
              : ''}
            Logins of the codevf CLI are not affected.
          </Notice>
        ) : null}
        {error && !error.fields.currentPassword && !error.fields.newPassword ? (
          <Notice tone="bad">{error.message}</Notice>
        ) : null}
        <form onSubmit={submit} className="form" noValidate>
          <Field
            label="Current password"
            type="password"
            name="currentPassword"
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(e) => setCurrentPassword(e.target.value)}
            error={error?.fields.currentPassword ? 'That is not your current password.' : undefined}
          />
          <Field
            label="New password"
            type="password"
            name="newPassword"
            autoComplete="new-password"
            required
            minLength={8}
            hint="At least 8 characters. Your other console sessions will be signed out."
            value={newPassword}
            onChange={(e) => setNewPassword(e.target.value)}
            error={error?.fields.newPassword}
          />
          <Field
            label="Repeat the new password"
            type="password"
            name="repeatPassword"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
            error={mismatch ? 'The two new passwords differ.' : undefined}
          />
          <button
            type="submit"
            className="btn primary"
            disabled={busy || !currentPassword || !newPassword || !repeat || mismatch}
          >
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </form>
      </div>
    </div>
  );
}
