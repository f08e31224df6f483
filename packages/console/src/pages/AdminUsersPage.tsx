import type { AdminUser, Role } from '@codevf/protocol';
import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { asApiError } from '../api/apiError';
import { useUser } from '../auth/AuthProvider';
import { DataTable } from '../components/DataTable';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { UntrustedText } from '../components/UntrustedText';
import { useAction } from '../hooks/useAction';
import { useAsync } from '../hooks/useAsync';
import { formatDateTime } from '../lib/format';

const ROLES: Role[] = ['customer', 'engineer', 'admin'];

const FAILED = 'That did not work.';

/** Users: create, change role, disable/enable (the console side of `codevf-server user …`). */
export function AdminUsersPage() {
  const me = useUser();
  const { data, error, loading, reload } = useAsync((signal) => api.users(signal), []);
  const [rowError, setRowError] = useState<string | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function update(user: AdminUser, patch: Parameters<typeof api.updateUser>[1], done: string) {
    setBusy(user.id);
    setRowError(null);
    setFlash(null);
    try {
      await api.updateUser(user.id, patch);
      setFlash(done);
      reload();
    } catch (err) {
      setRowError(`${user.email}: ${asApiError(err, FAILED).message}`);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="page">
      <PageHeader title="Users" subtitle="Accounts, roles and access." />
      <CreateUser
        onCreated={(u) => {
          setFlash(`Created ${u.email} (${u.role}).`);
          reload();
        }}
      />
      {flash ? (
        <Notice tone="good" onDismiss={() => setFlash(null)}>
          {flash}
        </Notice>
      ) : null}
      {rowError ? (
        <Notice tone="bad" onDismiss={() => setRowError(null)}>
          {rowError}
        </Notice>
      ) : null}
      <h2>All users</h2>
      {error ? (
        error.code === 'E_FORBIDDEN' ? (
          <Notice tone="bad" title="No access">
            User management is for admins.
          </Notice>
        ) : (
          <ErrorState error={error} retry={reload} />
        )
      ) : loading && !data ? (
        <Loading />
      ) : !data || data.length === 0 ? (
        <EmptyState title="No users" />
      ) : (
        <DataTable columns={['Name', 'Email', 'Role', { label: 'Credits', numeric: true }, 'Created', 'Access']}>
          {data.map((u) => (
            <tr key={u.id} data-user-email={u.email} className={u.disabled ? 'row-muted' : undefined}>
              <td>
                <UntrustedText text={u.name} />
                {u.title ? (
                  <span className="muted">
                    {' '}
                    · <UntrustedText text={u.title} />
                  </span>
                ) : null}
              </td>
              <td>{u.email}</td>
              <td>
                <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                  Role of {u.email}
                </label>
                <select
                  id={`role-${u.id}`}
                  value={u.role}
                  disabled={busy === u.id || u.id === me.id}
                  onChange={(e) => update(u, { role: e.target.value as Role }, `${u.email} is now ${e.target.value}.`)}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td className="num">{u.credits}</td>
              <td>{u.createdAt ? formatDateTime(u.createdAt) : '—'}</td>
              <td>
                {u.id === me.id ? (
                  <span className="muted">you</span>
                ) : (
                  <button
                    type="button"
                    className={`btn small ${u.disabled ? '' : 'danger'}`}
                    disabled={busy === u.id}
                    onClick={() =>
                      update(
                        u,
                        { disabled: !u.disabled },
                        u.disabled ? `${u.email} can sign in again.` : `${u.email} is disabled.`,
                      )
                    }
                    aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.email}`}
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                )}
                {u.disabled ? <span className="pill status-ended">disabled</span> : null}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}

function CreateUser({ onCreated }: { onCreated: (u: AdminUser) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('customer');
  const [password, setPassword] = useState('');
  const [title, setTitle] = useState('');
  const { busy, error, run } = useAction((err) => asApiError(err, FAILED));

  async function submit(e: FormEvent) {
    e.preventDefault();
    await run(async () => {
      const user = await api.createUser({
        email: email.trim(),
        name: name.trim(),
        role,
        password,
        ...(title.trim() ? { title: title.trim() } : {}),
      });
      setEmail('');
      setName('');
      setPassword('');
      setTitle('');
      setRole('customer');
      onCreated(user);
    });
  }

  return (
    <details className="card create-user">
      <summary>Create a user</summary>
      {error ? <Notice tone="bad">{error.message}</Notice> : null}
      <form onSubmit={submit} className="form grid-form" noValidate>
        <Field
          label="Email"
          type="email"
          name="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={error?.fields.email}
        />
        <Field
          label="Name"
          name="name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={error?.fields.name}
        />
        <div className="field">
          <label htmlFor="new-role">Role</label>
          <select id="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <Field
          label="Initial password"
          type="password"
          name="password"
          autoComplete="new-password"
          hint="At least 8 characters; share it with the person privately."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={error?.fields.password}
        />
        <Field
          label="Title (optional)"
          name="title"
          placeholder="e.g. Senior engineer"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          error={error?.fields.title}
        />
        <div className="form-actions">
          <button type="submit" className="btn primary" disabled={busy || !email || !name}>
            {busy ? 'Creating…' : 'Create user'}
          </button>
        </div>
      </form>
    </details>
  );
}
