/** A task's rating as stars, or 'not rated'. */
export function Rating({ value }: { value: number | null }) {
  if (value === null) return <span className="muted">not rated</span>;
  return (
    <span className="rating" title={`${value} out of 5`}>
      <span aria-hidden="true">
        {'★'.repeat(value)}
        {'☆'.repeat(Math.max(0, 5 - value))}
      </span>{' '}
      <span className="rating-num">{value}/5</span>
    </span>
  );
}
