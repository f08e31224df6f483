import type { ReactNode } from 'react';

export type Tone = 'info' | 'good' | 'warn' | 'bad';

/**
 * A message box. Problems are announced at once (role=alert); everything else politely
 * (role=status) so screen readers are not interrupted by routine updates.
 */
export function Notice({
  tone = 'info',
  title,
  children,
  onDismiss,
}: {
  tone?: Tone;
  title?: string;
  children?: ReactNode;
  onDismiss?: () => void;
}) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'bad' ? 'alert' : 'status'}>
      <div className="notice-body">
        {title ? <strong className="notice-title">{title}</strong> : null}
        {children ? <div>{children}</div> : null}
      </div>
      {onDismiss ? (
        <button type="button" className="btn ghost small" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      ) : null}
    </div>
  );
}
