import { LiveClientError } from '@codevf/protocol/client';
import { describe, expect, it } from 'vitest';
import { connectionOf } from './useLiveSession';

describe('connectionOf (the live client state as the page shows it)', () => {
  it('says live when connected, and keeps the attempt and reason while reconnecting or failed', () => {
    expect(connectionOf({ kind: 'connecting' })).toEqual({ state: 'connecting', attempt: 0 });
    expect(connectionOf({ kind: 'connected' })).toEqual({ state: 'live', attempt: 0 });
    expect(
      connectionOf({ kind: 'reconnecting', attempt: 3, maxAttempts: 8, delayMs: 500, reason: 'closed (1006)' }),
    ).toEqual({ state: 'reconnecting', attempt: 3, reason: 'closed (1006)' });
    expect(connectionOf({ kind: 'closed' })).toEqual({ state: 'closed', attempt: 0 });
    expect(connectionOf({ kind: 'failed', error: new LiveClientError('E_FORBIDDEN', 'No access.') })).toEqual({
      state: 'failed',
      attempt: 0,
      reason: 'No access.',
    });
  });
});
