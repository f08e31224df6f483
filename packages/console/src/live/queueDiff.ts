/** What changed between two polls of the queue: new arrivals and tasks that left it. */
export function diffQueue<T extends { id: string }>(
  prev: readonly T[],
  next: readonly T[],
): { added: T[]; removed: T[] } {
  const before = new Set(prev.map((t) => t.id));
  const after = new Set(next.map((t) => t.id));
  return {
    added: next.filter((t) => !before.has(t.id)),
    removed: prev.filter((t) => !after.has(t.id)),
  };
}
