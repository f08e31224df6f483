import { describe, expect, it } from 'vitest';
import { attributeTail } from './tailAttribution.mjs';

// 100 samples, one every 10 ms, 1 ms each, except the slowest (the last one, 20 ms).
const samples = Array.from({ length: 100 }, (_, i) => [i * 10, i === 99 ? 20 : 1]);

describe('attributeTail', () => {
  it('counts the slowest 1 % that were in flight during a pause of either process', () => {
    const server = [[995, 3]]; // inside the slow sample's flight (990 → 1010)
    const r = attributeTail(samples, server, []);
    expect(r).toMatchObject({ slowest: 1, serverGc: 1, clientGc: 0, eitherGc: 1 });
    // The slow sample set aside, the rest are all 1 ms.
    expect(r.p99WithoutGc).toBe(1);
  });

  it('counts a pause that ended just before the sample was sent (its backlog), not one long before', () => {
    expect(attributeTail(samples, [], [[985, 4.5]]).clientGc).toBe(1); // ended 989.5, sent 990
    expect(attributeTail(samples, [], [[980, 4]]).clientGc).toBe(0); // ended 984: 6 ms before
  });

  it('does not count a pause after the sample arrived', () => {
    const r = attributeTail(samples, [[1011, 2]], []);
    expect(r.serverGc).toBe(0);
    expect(r.p99WithoutGc).toBe(20);
  });
});
