import { describe, expect, it } from 'vitest';
import { readCsrfCookie } from './csrf';

describe('readCsrfCookie', () => {
  it('finds the codevf_csrf cookie among others', () => {
    expect(readCsrfCookie('a=1; codevf_csrf=abc%2Bdef; b=2')).toBe('abc+def');
    expect(readCsrfCookie('codevf_csrf=plain')).toBe('plain');
  });

  it('returns null when it is absent or empty, and ignores look-alike names', () => {
    expect(readCsrfCookie('')).toBeNull();
    expect(readCsrfCookie('x_codevf_csrf=nope; codevf_csrfx=nope')).toBeNull();
    expect(readCsrfCookie('codevf_csrf=')).toBeNull();
  });
});
