import type { ApiError } from '../api/apiError';
import { Link } from '../router/router';
import { Notice } from './Notice';
import { PageHeader } from './PageHeader';
import { ErrorState } from './States';

/**
 * A page whose subject could not be loaded. Forbidden and not-found both mean this user may not
 * open it, so both say who may; any other failure offers a retry.
 */
export function LoadFailurePage({
  title,
  refusedTitle,
  whoMayOpen,
  error,
  retry,
  back,
}: {
  title: string;
  refusedTitle: string;
  whoMayOpen: string;
  error: ApiError;
  retry: () => void;
  back: { href: string; label: string };
}) {
  return (
    <div className="page">
      <PageHeader title={title} />
      {error.code === 'E_FORBIDDEN' || error.code === 'E_NOT_FOUND' ? (
        <Notice tone="bad" title={refusedTitle}>
          {whoMayOpen} {error.message}
        </Notice>
      ) : (
        <ErrorState error={error} retry={retry} />
      )}
      <p>
        <Link href={back.href}>{back.label}</Link>
      </p>
    </div>
  );
}
