import { describe, expect, it } from 'vitest';
import { attributeTail } from './tailAttribution.mjs';

// 100 samples, one every 10 ms, 1 ms each, except the slowest (the last one, 20 ms).
const samples = Array.from({ length: 100 }, (_, i) => [i * 10, i === 99 ? 20 : 1]);

describe('attributeTail', () => {
  it('counts, per cause, the slowest 1 % that were in flight during one of its pauses', () => {
    const r = attributeTail(samples, { serverGc: [[995, 3]], clientGc: [], disk: [[1000, 2]] }); // flight 990 → 1010
    expect(r).toMatchObject({ slowest: 1, shares: { serverGc: 1, clientGc: 0, disk: 1 }, any: 1 });
    // The slow sample set aside, the rest are all 1 ms.
    expect(r.p99WithoutPauses).toBe(1);
  });

  it('counts a pause that ended just before the sample was sent (its backlog), not one long before', () => {
    expect(attributeTail(samples, { clientGc: [[985, 4.5]] }).shares.clientGc).toBe(1); // ended 989.5, sent 990
    expect(attributeTail(samples, { clientGc: [[980, 4]] }).shares.clientGc).toBe(0); // ended 984: 6 ms before
  });

  it('does not count a pause after the sample arrived', () => {
    const r = attributeTail(samples, { serverGc: [[1011, 2]] });
    expect(r).toMatchObject({ shares: { serverGc: 0 }, any: 0 });
    expect(r.p99WithoutPauses).toBe(20);
  });
});
