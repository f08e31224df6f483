import { afterEach, describe, expect, it, vi } from 'vitest';
import { screenshareProblem } from './screenshareProblem';

describe('screenshare link check', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('accepts web links only', () => {
    expect(screenshareProblem('https://meet.example.com/abc')).toBeNull();
    expect(screenshareProblem('javascript:alert(1)')).toBe('Use an https:// link.');
    expect(screenshareProblem('file:///etc/passwd')).toBe('Use an https:// link.');
    expect(screenshareProblem('meet.example.com')).toMatch(/full link/);
  });

  it('accepts http to this machine only while the console is served from it (development)', () => {
    expect(screenshareProblem('http://localhost:8080/x')).toBe('Use an https:// link.');
    vi.stubGlobal('location', { hostname: 'localhost' });
    expect(screenshareProblem('http://localhost:8080/x')).toBeNull();
    expect(screenshareProblem('http://meet.example.com/x')).toBe('Use an https:// link.');
  });

  it('refuses a user name before the host, which hides where the link goes', () => {
    expect(screenshareProblem('https://meet.google.com@evil.example/x')).toMatch(/user name before its host/);
  });
});
