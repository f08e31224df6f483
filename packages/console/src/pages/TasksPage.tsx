import { api } from '../api/api';
import { useUser } from '../auth/AuthProvider';
import { DataTable } from '../components/DataTable';
import { DriverPill } from '../components/DriverPill';
import { previewOf } from '../components/ExpandableText';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { StatusPill } from '../components/StatusPill';
import { TaskFigureCells } from '../components/TaskFigureCells';
import { UntrustedText } from '../components/UntrustedText';
import { useAsync } from '../hooks/useAsync';
import { useNow } from '../hooks/useNow';
import { taskDurationSeconds } from '../lib/format';
import { Link } from '../router/router';

/** Task history: the customer's own tasks, or the engineer's claimed sessions. */
export function TasksPage() {
  const user = useUser();
  const { data, error, loading, reload } = useAsync((signal) => api.tasks(signal), []);
  const now = useNow(true, 30_000);
  const isEngineer = user.role === 'engineer';
  return (
    <div className="page">
      <PageHeader
        title={isEngineer ? 'My sessions' : 'Tasks'}
        subtitle={isEngineer ? 'Tasks you claimed.' : 'Every task you started with codevf fix, newest first.'}
      />
      {error ? (
        <ErrorState error={error} retry={reload} />
      ) : loading && !data ? (
        <Loading />
      ) : !data || data.length === 0 ? (
        <EmptyState title="No tasks yet">
          {isEngineer ? (
            'Claim a task from the queue to start a session.'
          ) : (
            <>
              Run <code>codevf fix "describe the problem"</code> in your project to get help.
            </>
          )}
        </EmptyState>
      ) : (
        <DataTable
          columns={[
            'Task',
            'Status',
            isEngineer ? 'Customer' : 'Engineer',
            'Started',
            'Duration',
            { label: 'Credits', numeric: true },
            'Rating',
          ]}
        >
          {[...data]
            .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
            .map((t) => {
              const href =
                isEngineer && t.status === 'active'
                  ? `/session/${encodeURIComponent(t.id)}`
                  : `/tasks/${encodeURIComponent(t.id)}`;
              return (
                <tr key={t.id} data-task-id={t.id}>
                  <td className="cell-desc">
                    <Link href={href}>
                      <UntrustedText text={t.description} />
                    </Link>
                    {t.resolution ? (
                      <p className="cell-resolution muted" data-testid="task-resolution">
                        Resolution: <UntrustedText text={previewOf(t.resolution, 160)} />
                      </p>
                    ) : null}
                  </td>
                  <td>
                    <StatusPill status={t.status} />
                    <DriverPill driver={t.driver} />
                  </td>
                  <td>
                    <UntrustedText text={(isEngineer ? t.customerName : t.engineer?.name) ?? '—'} />
                  </td>
                  <TaskFigureCells
                    createdAt={t.createdAt}
                    durationSeconds={taskDurationSeconds(t, now)}
                    creditsUsed={t.creditsUsed}
                    rating={t.rating}
                  />
                </tr>
              );
            })}
        </DataTable>
      )}
    </div>
  );
}
