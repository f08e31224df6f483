import { type ReactNode, useEffect } from 'react';
import { setPageTitle } from '../lib/documentTitle';

/** The page's h1 (focus target after navigation, see Layout) and the document title. */
export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    setPageTitle(title);
  }, [title]);
  return (
    <header className="page-header">
      <div>
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {subtitle ? <p className="muted">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}
