import type { AdminUser } from '@codevf/protocol';
import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { asApiError } from '../api/apiError';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { useAction } from '../hooks/useAction';
import { useAsync } from '../hooks/useAsync';

/** Credit grants (the console side of `codevf-server credits grant`). */
export function AdminCreditsPage() {
  const users = useAsync((signal) => api.users(signal), []);
  const [email, setEmail] = useState('');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction((err) => asApiError(err, 'The grant failed.'));

  const parsed = Number(amount);
  const amountProblem =
    amount === '' ? null : !Number.isInteger(parsed) || parsed < 1 ? 'A whole number of credits, 1 or more.' : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (amountProblem || !amount) return;
    setDone(null);
    await run(async () => {
      const user: Partial<AdminUser> | undefined = await api.grantCredits(
        email.trim(),
        parsed,
        note.trim() || undefined,
      );
      setDone(
        `Granted ${parsed} credits to ${email.trim()}.${typeof user?.credits === 'number' ? ` New balance: ${user.credits}.` : ''}`,
      );
      setAmount('');
      setNote('');
      users.reload();
    });
  }

  return (
    <div className="page">
      <PageHeader
        title="Grant credits"
        subtitle="Add credits to a customer's balance. Every grant is recorded in their ledger."
      />
      {done ? (
        <Notice tone="good" onDismiss={() => setDone(null)}>
          {done}
        </Notice>
      ) : null}
      {error ? (
        <Notice tone="bad">
          {error.code === 'E_NOT_FOUND' ? `No user has the email ${email.trim()}.` : error.message}
        </Notice>
      ) : null}
      <form className="card form narrow-form" onSubmit={submit} noValidate>
        <Field
          label="Email"
          type="email"
          name="email"
          list="user-emails"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={error?.fields.email}
        />
        <datalist id="user-emails">
          {(users.data ?? []).map((u) => (
            <option key={u.id} value={u.email}>
              {u.name} ({u.role}, {u.credits} credits)
            </option>
          ))}
        </datalist>
        <Field
          label="Credits"
          type="number"
          name="amount"
          inputMode="numeric"
          min={1}
          step={1}
          required
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          error={amountProblem ?? error?.fields.amount}
        />
        <Field
          label="Note (optional)"
          name="note"
          placeholder="e.g. trial credits"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          error={error?.fields.note}
        />
        <button type="submit" className="btn primary" disabled={busy || !email || !amount || amountProblem !== null}>
          {busy ? 'Granting…' : 'Grant credits'}
        </button>
      </form>
    </div>
  );
}
