import type { ReactNode } from 'react';
import type { ApiError } from '../api/apiError';
import { Notice } from './Notice';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

const TITLES: Record<string, string> = {
  E_UNREACHABLE: 'Cannot reach the server',
  E_FORBIDDEN: 'No access',
  E_NOT_FOUND: 'Not found',
  E_UNAUTHORIZED: 'Signed out',
  E_RATE_LIMITED: 'Slow down',
};

/** A failed load, with what to do next. */
export function ErrorState({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <Notice tone="bad" title={TITLES[error.code] ?? 'Something went wrong'}>
      <p>{error.message}</p>
      {retry && error.code !== 'E_FORBIDDEN' && error.code !== 'E_NOT_FOUND' ? (
        <button type="button" className="btn" onClick={retry}>
          Try again
        </button>
      ) : null}
    </Notice>
  );
}
