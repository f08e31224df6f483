import { describe, expect, it } from 'vitest';
import type { EventPayload, PersistedEvent } from '../src/serverEvents';
import type { PersistedType } from '../src/shared/messageTypes';
import { foldEvents, initialSessionView } from '../src/shared/sessionFold';

let seq = 0;
const at = '2026-01-01T12:00:00.000Z';
function ev<T extends PersistedType>(type: T, payload: EventPayload<T>): PersistedEvent {
  seq += 1;
  return { type, seq, timestamp: at, payload } as PersistedEvent;
}
const expiresAt = '2026-01-01T12:02:00.000Z';

describe('foldEvent (the session fold the CLI and the console share)', () => {
  it('follows a command through its lifecycle and ignores the steps the lifecycle forbids', () => {
    seq = 0;
    const v = foldEvents(initialSessionView(), [
      ev('task_status', { status: 'queued', queuePosition: 2, estimatedWaitSeconds: 60 }),
      ev('engineer_connected', { engineer: { id: 'e1', name: 'Maria', title: null }, kind: 'human' }),
      ev('request_command', { requestId: 'r1', command: 'npm test', reason: '', expiresAt }),
      ev('command_output', { requestId: 'r1', stream: 'stdout', data: 'too early' }),
      ev('approve_command', { requestId: 'r1', approved: true, scope: 'session' }),
      ev('approve_command', { requestId: 'r1', approved: false }),
      ev('command_output', { requestId: 'r1', stream: 'stdout', data: 'ok\n' }),
      ev('command_result', { requestId: 'r1', exitCode: 0, durationMs: 5, truncated: false, redactions: 0 }),
      ev('request_expired', { requestId: 'r1' }),
    ]);
    expect(v).toMatchObject({
      status: 'active',
      queuePosition: null,
      estimatedWaitSeconds: null,
      engineerConnected: true,
    });
    expect(v.requests.r1).toMatchObject({
      kind: 'command',
      state: 'completed',
      scope: 'session',
      output: [{ stream: 'stdout', data: 'ok\n' }],
      result: { exitCode: 0, durationMs: 5 },
    });
    expect(v.lastSeq).toBe(9);
  });

  it('marks requests still pending at the end unanswered, keeps the low-balance warning, and skips replays', () => {
    seq = 0;
    const events = [
      ev('request_file', { requestId: 'f1', path: '.env', reason: '', expiresAt }),
      ev('billing_update', { creditsUsed: 9, balance: 4, ratePerMinute: 1, minutes: 9, warning: 'low_balance' }),
      ev('billing_update', { creditsUsed: 10, balance: 3, ratePerMinute: 1, minutes: 10 }),
      ev('session_end', {
        endedBy: 'system',
        reason: 'out of credits',
        summary: { engineer: null, durationSeconds: 600, creditsUsed: 10 },
      }),
    ];
    const v = foldEvents(initialSessionView(), events);
    expect(v.requests.f1?.state).toBe('unanswered');
    expect(v.lowBalance).toBe(true);
    expect(v.billing?.balance).toBe(3);
    expect(v.items.at(-1)).toMatchObject({ kind: 'notice', text: 'Session ended by the server: out of credits' });
    expect(foldEvents(v, events)).toBe(v);
  });
});
