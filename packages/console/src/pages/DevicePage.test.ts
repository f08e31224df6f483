import { describe, expect, it } from 'vitest';
import { formatTypedCode, userCodeProblem } from './DevicePage';

describe('device code input', () => {
  it('accepts codes however they are typed', () => {
    expect(userCodeProblem('BCDF-GHJK')).toBeNull();
    expect(userCodeProblem('bcdfghjk')).toBeNull();
    expect(userCodeProblem(' bcdf ghjk ')).toBeNull();
  });

  it('explains what is wrong with a code that cannot be one', () => {
    expect(userCodeProblem('')).toBe('Enter the code shown in your terminal.');
    expect(userCodeProblem('ABCD-EFGH')).toMatch(/only the letters BCDFGHJKLMNPQRSTVWXZ/);
    expect(userCodeProblem('BCDF-123')).toMatch(/only the letters/);
    expect(userCodeProblem('BCDF-GHJ')).toMatch(/8 letters/);
    expect(userCodeProblem('BCDF-GHJKL')).toMatch(/8 letters/);
  });

  it('formats while typing', () => {
    expect(formatTypedCode('bcd')).toBe('BCD');
    expect(formatTypedCode('bcdfg')).toBe('BCDF-G');
    expect(formatTypedCode('bcdf-ghjkxyz')).toBe('BCDF-GHJK');
  });
});
