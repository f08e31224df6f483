import type { ReactNode } from 'react';
import { PageHeader } from './PageHeader';
import { UntrustedText } from './UntrustedText';

/** A task's page header: the title, the customer's description under it (their text, shown as untrusted) and the actions. */
export function TaskHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description: string;
  actions?: ReactNode;
}) {
  return (
    <PageHeader
      title={title}
      subtitle={
        <span className="session-desc">
          <UntrustedText text={description} keepNewlines />
        </span>
      }
      actions={actions}
    />
  );
}
