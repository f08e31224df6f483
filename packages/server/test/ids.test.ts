import { describe, expect, it } from 'vitest';
import { newId } from '../src/ids';

describe('newId', () => {
  it('is 22 URL-safe characters that never start with "-" (it would pass for an option on a command line)', () => {
    // Without the rule one id in 64 starts with "-": among 20 000, one does all but never.
    const ids = Array.from({ length: 20_000 }, newId);
    expect(ids.filter((id) => !/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    // Every other character still comes first (the rule drops "-" only).
    expect(new Set(ids.map((id) => id[0])).size).toBe(63);
  });
});
