import { describe, expect, it } from 'vitest';
import { diffQueue } from './queueDiff';

describe('diffQueue', () => {
  it('reports arrivals and departures by id', () => {
    const a = { id: 'a' };
    const b = { id: 'b' };
    const c = { id: 'c' };
    expect(diffQueue([a, b], [b, c])).toEqual({ added: [c], removed: [a] });
  });

  it('reports nothing when only the order or contents changed', () => {
    expect(
      diffQueue(
        [
          { id: 'a', n: 1 },
          { id: 'b', n: 1 },
        ],
        [
          { id: 'b', n: 2 },
          { id: 'a', n: 2 },
        ],
      ),
    ).toEqual({ added: [], removed: [] });
    expect(diffQueue([], [])).toEqual({ added: [], removed: [] });
  });
});
