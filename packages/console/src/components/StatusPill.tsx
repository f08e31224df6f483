import type { Task } from '@codevf/protocol';

/** A task's status as a coloured pill; a queued task reads 'waiting'. */
export function StatusPill({ status }: { status: Task['status'] }) {
  return <span className={`pill status-${status}`}>{status === 'queued' ? 'waiting' : status}</span>;
}
