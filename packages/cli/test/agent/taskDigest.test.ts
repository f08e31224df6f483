import type { PersistedEvent } from '@codevf/protocol/shared';
import { describe, expect, it } from 'vitest';
import { digestTask, findRequest } from '../../src/agent/taskDigest';

/** The agent's view of a task, folded by the shared session fold from events as the server stores them. */
let seq = 0;
const at = (n: number) => `2026-12-03T10:00:${String(n).padStart(2, '0')}.000Z`;
function ev(type: string, payload: Record<string, unknown>): PersistedEvent {
  seq += 1;
  return { seq, type, timestamp: at(seq), payload } as unknown as PersistedEvent;
}

function story(): PersistedEvent[] {
  seq = 0;
  return [
    ev('task_status', { status: 'queued', queuePosition: 2, estimatedWaitSeconds: 120 }), // 1
    ev('customer_message', { text: 'Context file notes.txt:\nhi' }), // 2
    ev('engineer_connected', { engineer: { id: 'e1', name: 'Maria', title: null }, kind: 'human' }), // 3
    ev('engineer_message', { text: 'Run the tests?' }), // 4
    ev('request_command', { requestId: 'r1', command: 'npm test', reason: 'see it', expiresAt: at(59) }), // 5
    ev('request_file', { requestId: 'r2', path: 'src/a.ts', reason: 'read it', expiresAt: at(59) }), // 6
    ev('approve_command', { requestId: 'r1', approved: true, scope: 'once' }), // 7
    ev('command_output', { requestId: 'r1', stream: 'stdout', data: 'ok' }), // 8
    ev('command_result', { requestId: 'r1', exitCode: 0, durationMs: 1, truncated: false, redactions: 0 }), // 9
    ev('billing_update', { creditsUsed: 3, balance: 97, ratePerMinute: 3, minutes: 1 }), // 10
  ];
}

describe('digestTask', () => {
  it('lists every event after the seq, with request states folded from all events', () => {
    const d = digestTask('t1', story(), 0);
    expect(d.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'status'],
      [2, 'message'],
      [3, 'notice'],
      [4, 'message'],
      [5, 'request'],
      [6, 'request'],
      [10, 'billing'],
    ]);
    expect(d.events[0]).toMatchObject({ status: 'queued', queuePosition: 2, estimatedWaitSeconds: 120 });
    expect(d.events[3]).toMatchObject({ from: 'engineer', name: 'Maria', text: 'Run the tests?' });
    expect(d.events[4]).toMatchObject({ requestId: 'r1', kind: 'command', command: 'npm test', state: 'completed' });
    expect(d.events[5]).toMatchObject({ requestId: 'r2', kind: 'file', path: 'src/a.ts', state: 'pending' });
    expect(d).toMatchObject({
      status: 'active',
      engineer: { name: 'Maria', kind: 'human' },
      nextAfter: 10,
      ended: null,
    });
  });

  it('after a seq: only later events, but pending requests whatever their seq', () => {
    const d = digestTask('t1', story(), 7);
    expect(d.events.map((e) => e.seq)).toEqual([10]);
    expect(d.pendingRequests).toEqual([expect.objectContaining({ requestId: 'r2', state: 'pending' })]);
    expect(d.nextAfter).toBe(10);
  });

  it('nothing new: no events, nextAfter stays where it was', () => {
    const d = digestTask('t1', story(), 10);
    expect(d.events).toEqual([]);
    expect(d.nextAfter).toBe(10);
  });

  it('a declined request carries the reason given', () => {
    const events = [...story(), ev('approve_file', { requestId: 'r2', approved: false, reason: 'not that file' })];
    const d = digestTask('t1', events, 10);
    expect(d.pendingRequests).toEqual([]);
    expect(digestTask('t1', events, 0).events.find((e) => e.seq === 6)).toMatchObject({
      state: 'denied',
      declineReason: 'not that file',
    });
  });

  it('the end leaves pending requests unanswered and says who ended it', () => {
    const events = [...story(), ev('session_end', { endedBy: 'engineer', reason: 'fixed', summary: {} })];
    const d = digestTask('t1', events, 10);
    expect(d.status).toBe('ended');
    expect(d.ended).toEqual({ endedBy: 'engineer', reason: 'fixed' });
    expect(d.pendingRequests).toEqual([]);
    expect(findRequest(events, 'r2')?.state).toBe('unanswered');
    expect(findRequest(events, 'nope')).toBeUndefined();
  });
});
