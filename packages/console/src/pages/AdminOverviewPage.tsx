import type { AdminEngineer, AdminTasksQuery, Task } from '@codevf/protocol';
import { TASK_MODES } from '@codevf/protocol/constants';
import { formatSessionDuration, showUntrusted } from '@codevf/protocol/shared';
import { useState } from 'react';
import { api } from '../api/api';
import { DataTable } from '../components/DataTable';
import { FilterSelect } from '../components/FilterSelect';
import { Notice } from '../components/Notice';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { StatusPill } from '../components/StatusPill';
import { TaskFigureCells } from '../components/TaskFigureCells';
import { UntrustedText } from '../components/UntrustedText';
import { useAsync } from '../hooks/useAsync';

const PAGE_SIZE = 25;

interface Filters {
  status: '' | Task['status'];
  mode: '' | Task['mode'];
  engineerId: string;
  from: string;
  to: string;
}
/** Status filters, named as the queue names them. */
const STATUS_OPTIONS = [
  ['queued', 'waiting'],
  ['active', 'active'],
  ['ended', 'ended'],
] as const;
const NO_FILTERS: Filters = { status: '', mode: '', engineerId: '', from: '', to: '' };

/** The server's query for these filters and page: empty filters are left out. */
function queryOf(f: Filters, offset: number): AdminTasksQuery {
  return {
    ...(f.status ? { status: f.status } : {}),
    ...(f.mode ? { mode: f.mode } : {}),
    ...(f.engineerId ? { engineerId: f.engineerId } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    limit: PAGE_SIZE,
    offset,
  };
}

/** Admins: every task (status, mode, engineer, duration, credits, rating; filtered, paged) and each engineer's figures. */
export function AdminOverviewPage() {
  const engineers = useAsync((signal) => api.adminEngineers(signal), []);
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [offset, setOffset] = useState(0);
  const tasks = useAsync((signal) => api.adminTasks(queryOf(filters, offset), signal), [filters, offset]);
  const list = engineers.data?.engineers ?? [];
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });

  return (
    <div className="page">
      <PageHeader title="Overview" subtitle="Every task, and how each engineer is doing." />
      {tasks.error?.code === 'E_FORBIDDEN' || engineers.error?.code === 'E_FORBIDDEN' ? (
        <Notice tone="bad" title="No access">
          The overview is for admins.
        </Notice>
      ) : null}
      <h2>Tasks</h2>
      <form
        className="filters card"
        aria-label="Filter tasks"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
          setOffset(0);
        }}
      >
        <FilterSelect label="Status" value={draft.status} onChange={set('status')} options={STATUS_OPTIONS} />
        <FilterSelect
          label="Mode"
          value={draft.mode}
          onChange={set('mode')}
          options={TASK_MODES.map((m) => [m, m] as const)}
        />
        <FilterSelect
          label="Engineer"
          value={draft.engineerId}
          onChange={set('engineerId')}
          // The name's control characters as visible markers.
          options={list.map((e) => [e.id, `${showUntrusted(e.name)} (${e.email})`] as const)}
        />
        <label>
          From
          <input type="date" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          To
          <input type="date" value={draft.to} onChange={set('to')} />
        </label>
        <button type="submit" className="btn primary">
          Apply
        </button>
        <button
          type="button"
          className="btn ghost"
          onClick={() => {
            setDraft(NO_FILTERS);
            setFilters(NO_FILTERS);
            setOffset(0);
          }}
        >
          Clear
        </button>
      </form>
      {tasks.error && tasks.error.code !== 'E_FORBIDDEN' ? (
        <ErrorState error={tasks.error} retry={tasks.reload} />
      ) : tasks.loading && !tasks.data ? (
        <Loading />
      ) : !tasks.data || tasks.data.tasks.length === 0 ? (
        <EmptyState title="No tasks match" />
      ) : (
        <>
          <DataTable
            columns={[
              'Task',
              'Status',
              'Mode',
              'Customer',
              'Engineer',
              'Created',
              'Duration',
              { label: 'Credits', numeric: true },
              'Rating',
            ]}
          >
            {tasks.data.tasks.map((t) => (
              <tr key={t.id} data-task-id={t.id}>
                <td className="cell-desc">
                  <UntrustedText text={t.description} />
                </td>
                <td>
                  <StatusPill status={t.status} />
                </td>
                <td>{t.mode}</td>
                <td>
                  <UntrustedText text={t.customerName ?? '—'} />
                </td>
                <td>
                  <UntrustedText text={t.engineer?.name ?? '—'} />
                </td>
                <TaskFigureCells
                  createdAt={t.createdAt}
                  durationSeconds={t.durationSeconds}
                  creditsUsed={t.creditsUsed}
                  rating={t.rating}
                />
              </tr>
            ))}
          </DataTable>
          <Pager total={tasks.data.total} offset={offset} count={tasks.data.tasks.length} onOffset={setOffset} />
        </>
      )}
      <h2>Engineers</h2>
      {engineers.error && engineers.error.code !== 'E_FORBIDDEN' ? (
        <ErrorState error={engineers.error} retry={engineers.reload} />
      ) : engineers.loading && !engineers.data ? (
        <Loading />
      ) : list.length === 0 ? (
        <EmptyState title="No engineers yet" />
      ) : (
        <EngineerTable engineers={list} />
      )}
    </div>
  );
}

function Pager({
  total,
  offset,
  count,
  onOffset,
}: {
  total: number;
  offset: number;
  count: number;
  onOffset: (offset: number) => void;
}) {
  return (
    <nav className="pager" aria-label="Pages of tasks">
      <span data-testid="task-range">
        {offset + 1}–{offset + count} of {total}
      </span>
      <button
        type="button"
        className="btn ghost small"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - PAGE_SIZE))}
      >
        Previous
      </button>
      <button
        type="button"
        className="btn ghost small"
        disabled={offset + count >= total}
        onClick={() => onOffset(offset + PAGE_SIZE)}
      >
        Next
      </button>
    </nav>
  );
}

function EngineerTable({ engineers }: { engineers: AdminEngineer[] }) {
  return (
    <DataTable
      columns={[
        'Engineer',
        'Email',
        { label: 'Sessions', numeric: true },
        { label: 'Active', numeric: true },
        'Average rating',
        'Median time to claim',
      ]}
    >
      {engineers.map((e) => (
        <tr key={e.id} data-engineer-email={e.email} className={e.disabled ? 'row-muted' : undefined}>
          <td>
            <UntrustedText text={e.name} />
          </td>
          <td>{e.email}</td>
          <td className="num">{e.sessions}</td>
          <td className="num">{e.activeSessions}</td>
          <td>
            {e.averageRating === null ? (
              <span className="muted">no ratings</span>
            ) : (
              `${e.averageRating.toFixed(1)} (${e.ratings})`
            )}
          </td>
          <td>{e.medianClaimSeconds === null ? '—' : formatSessionDuration(e.medianClaimSeconds)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
