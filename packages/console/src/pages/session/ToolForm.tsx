import type { FormEvent, ReactNode } from 'react';
import type { Submit } from './useSubmit';

/** The card every request tool sits in: title, hint, its fields, and the outcome of the last send. */
export function ToolForm({
  title,
  hint,
  children,
  onSubmit,
  status,
}: {
  title: string;
  hint: string;
  children: ReactNode;
  onSubmit: (e: FormEvent) => void;
  status: Submit;
}) {
  return (
    <form className="tool card" onSubmit={onSubmit}>
      <h2>{title}</h2>
      <p className="muted small-print">{hint}</p>
      {children}
      {status.error ? (
        <p className="field-error" role="alert">
          {status.error}
        </p>
      ) : null}
      {status.sent ? (
        <p className="field-ok" role="status">
          {status.sent}
        </p>
      ) : null}
    </form>
  );
}
