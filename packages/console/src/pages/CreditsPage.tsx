import { api } from '../api/api';
import { DataTable } from '../components/DataTable';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { useAsync } from '../hooks/useAsync';
import { formatDateTime } from '../lib/format';
import { Link } from '../router/router';

export function CreditsPage() {
  const { data, error, loading, reload } = useAsync((signal) => api.credits(signal), []);
  return (
    <div className="page">
      <PageHeader title="Credits" subtitle="Sessions are billed per minute while an engineer is connected." />
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
          <h2>History</h2>
          {data.ledger.length === 0 ? (
            <EmptyState title="No credit movements yet">
              Credits granted to you and minutes charged will show here.
            </EmptyState>
          ) : (
            <DataTable columns={['When', 'What', { label: 'Amount', numeric: true }]}>
              {[...data.ledger]
                .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
                .map((row) => (
                  <tr key={row.id}>
                    <td>{formatDateTime(row.createdAt)}</td>
                    <td>
                      {row.kind === 'grant' ? 'Granted' : 'Session minute'}
                      {row.note ? <span className="muted"> · {row.note}</span> : null}
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
                ))}
            </DataTable>
          )}
        </>
      ) : null}
    </div>
  );
}
