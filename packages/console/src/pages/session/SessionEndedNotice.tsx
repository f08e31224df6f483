import type { SessionView } from '@codevf/protocol/shared';
import { formatBilledMinutes, formatSessionDuration } from '@codevf/protocol/shared';
import type { ReactNode } from 'react';
import { Notice } from '../../components/Notice';
import { UntrustedText } from '../../components/UntrustedText';
import { plural } from '../../lib/format';

/**
 * How a live session ended, as every live view says it: who ended it (`endedBy`, worded for the
 * viewer) and why, how long it ran, what was billed; `children` is where to go next.
 */
export function SessionEndedNotice({
  ended,
  endedBy,
  children,
}: {
  ended: NonNullable<SessionView['ended']>;
  endedBy: string;
  children: ReactNode;
}) {
  return (
    <Notice tone="info" title="Session ended">
      Ended by {endedBy}
      {ended.reason ? (
        <>
          {' ('}
          <UntrustedText text={ended.reason} />)
        </>
      ) : null}{' '}
      after {formatSessionDuration(ended.summary.durationSeconds)};{' '}
      {ended.summary.billedMinutes === undefined ? '' : `${formatBilledMinutes(ended.summary.billedMinutes)} billed, `}
      {plural(ended.summary.creditsUsed, 'credit')} used. {children}
    </Notice>
  );
}
