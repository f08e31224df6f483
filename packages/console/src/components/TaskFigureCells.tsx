import { formatSessionDuration } from '@codevf/protocol/shared';
import { formatDateTime } from '../lib/format';
import { Rating } from './Rating';

/** A task row's started, duration, credits and rating cells, in the order every task table lists them. */
export function TaskFigureCells({
  createdAt,
  durationSeconds,
  creditsUsed,
  rating,
}: {
  createdAt: string;
  /** null while unknown (a task never started). */
  durationSeconds: number | null | undefined;
  creditsUsed: number;
  rating: number | null;
}) {
  return (
    <>
      <td>{formatDateTime(createdAt)}</td>
      <td>
        {durationSeconds === null || durationSeconds === undefined ? '—' : formatSessionDuration(durationSeconds)}
      </td>
      <td className="num">{creditsUsed}</td>
      <td>
        <Rating value={rating} />
      </td>
    </>
  );
}
