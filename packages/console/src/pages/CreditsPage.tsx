import type { AiInfo, CreditsView } from '@codevf/protocol';
import { api } from '../api/api';
import { DataTable } from '../components/DataTable';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { UntrustedText } from '../components/UntrustedText';
import { useAsync } from '../hooks/useAsync';
import { formatDateTime, plural } from '../lib/format';
import { Link } from '../router/router';

type LedgerRow = CreditsView['ledger'][number];

/** What a ledger row was: a grant, or whose minute a charge paid for (the AI's, a human engineer's). */
export function ledgerWhat(row: Pick<LedgerRow, 'kind' | 'help' | 'amount'>): { label: string; free: boolean } {
  if (row.kind === 'grant') return { label: 'Granted', free: false };
  if (row.help === 'ai') return { label: 'AI minute', free: row.amount === 0 };
  if (row.help === 'human') return { label: 'Engineer minute', free: false };
  return { label: 'Session minute', free: false };
}

export function CreditsPage() {
  const { data, error, loading, reload } = useAsync((signal) => api.credits(signal), []);
  // The AI's terms are extra: a server without it (or an older one) simply shows none.
  const ai = useAsync((signal) => api.aiInfo(signal), []);
  return (
    <div className="page">
      <PageHeader
        title="Credits"
        subtitle="Sessions are billed per minute while a human engineer or the AI helps; AI minutes are free up to a daily allowance."
      />
      {error ? (
        <ErrorState error={error} retry={reload} />
      ) : loading && !data ? (
        <Loading />
      ) : data ? (
        <>
          <div className="balance card">
            <span className="balance-label">Balance</span>
            <span className="balance-value" data-testid="balance">
              {data.balance}
            </span>
            <span className="muted">credits</span>
          </div>
          {ai.data?.available ? <AiTerms info={ai.data} /> : null}
          <h2>History</h2>
          {data.ledger.length === 0 ? (
            <EmptyState title="No credit movements yet">
              Credits granted to you and minutes charged will show here.
            </EmptyState>
          ) : (
            <DataTable columns={['When', 'What', { label: 'Amount', numeric: true }]}>
              {[...data.ledger]
                .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
                .map((row) => {
                  const what = ledgerWhat(row);
                  return (
                    <tr key={row.id} data-help={row.help ?? undefined}>
                      <td>{formatDateTime(row.createdAt)}</td>
                      <td>
                        {what.label}
                        {what.free ? (
                          <>
                            {' '}
                            <span className="pill pill-ai">free</span>
                          </>
                        ) : null}
                        {row.note ? (
                          <span className="muted">
                            {' '}
                            · <UntrustedText text={row.note} />
                          </span>
                        ) : null}
                        {row.taskId ? (
                          <>
                            {' '}
                            · <Link href={`/tasks/${encodeURIComponent(row.taskId)}`}>task</Link>
                          </>
                        ) : null}
                      </td>
                      <td className={`num ${row.amount < 0 ? 'neg' : 'pos'}`}>
                        {row.amount > 0 ? `+${row.amount}` : row.amount}
                      </td>
                    </tr>
                  );
                })}
            </DataTable>
          )}
        </>
      ) : null}
    </div>
  );
}

/** The AI's rates and the free AI minutes left today. */
function AiTerms({ info }: { info: AiInfo }) {
  return (
    <p className="ai-terms" data-testid="ai-terms">
      {info.freeMinutesLeft === null ? null : (
        <>
          <strong>{plural(info.freeMinutesLeft, 'free AI minute')} left today</strong> (of {info.freeMinutesPerDay}).{' '}
        </>
      )}
      {info.freeMinutesPerDay > 0 ? 'After the free minutes, the AI costs' : 'The AI costs'}{' '}
      {plural(info.aiCreditsPerMinute, 'credit')} a minute; a human engineer{' '}
      {plural(info.humanCreditsPerMinute, 'credit')} a minute.
    </p>
  );
}
