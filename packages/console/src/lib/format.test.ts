import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatCountdown,
  formatDuration,
  formatElapsed,
  msUntil,
  plural,
  taskDurationSeconds,
} from './format';

describe('formatCountdown', () => {
  it('shows m:ss, rounding partial seconds up so 0:00 means the deadline has passed', () => {
    expect(formatCountdown(125_000)).toBe('2:05');
    expect(formatCountdown(59_001)).toBe('1:00');
    expect(formatCountdown(900)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5_000)).toBe('0:00');
    expect(formatCountdown(3_725_000)).toBe('1:02:05');
  });

  it('msUntil treats an unparsable deadline as passed', () => {
    expect(msUntil('2024-01-01T00:00:10.000Z', Date.parse('2024-01-01T00:00:00.000Z'))).toBe(10_000);
    expect(msUntil('not a date', 0)).toBe(0);
  });
});

describe('durations', () => {
  it('formatDuration', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(720)).toBe('12 min');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(3900)).toBe('1 h 5 min');
    expect(formatDuration(-3)).toBe('0 s');
  });

  it('formatElapsed', () => {
    expect(formatElapsed(0)).toBe('00:00');
    expect(formatElapsed(65_999)).toBe('01:05');
    expect(formatElapsed(3_661_000)).toBe('1:01:01');
  });

  it('formatAgo', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(formatAgo('2024-05-01T11:59:55Z', now)).toBe('just now');
    expect(formatAgo('2024-05-01T11:57:00Z', now)).toBe('3 min ago');
    expect(formatAgo('2024-04-29T12:00:00Z', now)).toBe('2 days ago');
    expect(formatAgo('garbage', now)).toBe('unknown time');
  });

  it('taskDurationSeconds', () => {
    const now = Date.parse('2024-05-01T12:10:00Z');
    expect(taskDurationSeconds({ claimedAt: null, endedAt: null }, now)).toBeNull();
    expect(taskDurationSeconds({ claimedAt: '2024-05-01T12:00:00Z', endedAt: '2024-05-01T12:02:30Z' }, now)).toBe(150);
    expect(taskDurationSeconds({ claimedAt: '2024-05-01T12:00:00Z', endedAt: null }, now)).toBe(600);
  });
});

describe('small formatters', () => {
  it('formatBytes and plural', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(plural(1, 'value')).toBe('1 value');
    expect(plural(3, 'value')).toBe('3 values');
  });
});
