import { describe, expect, it } from 'vitest';
import { screenshareProblem } from './screenshareProblem';

describe('screenshare link check', () => {
  it('accepts web links only', () => {
    expect(screenshareProblem('https://meet.example.com/abc')).toBeNull();
    expect(screenshareProblem('http://localhost:8080/x')).toBeNull();
    expect(screenshareProblem('javascript:alert(1)')).toBe('Use an https:// link.');
    expect(screenshareProblem('file:///etc/passwd')).toBe('Use an https:// link.');
    expect(screenshareProblem('meet.example.com')).toMatch(/full link/);
  });
});
