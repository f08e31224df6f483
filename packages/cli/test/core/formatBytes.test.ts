import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/core/formatBytes';

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    // Rounds to one decimal: just under 1 MiB still reads in KiB.
    [1024 * 1024 - 1, '1024 KiB'],
    [1024 * 1024, '1 MiB'],
    [3.3 * 1024 * 1024, '3.3 MiB'],
  ])('%d → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
