import type { EngineerRequest, SessionView } from '@codevf/protocol/shared';
import { describe, expect, it } from 'vitest';
import { requestStatus } from './requestStatus';
import { applyEvent, applyEvents, type EventLike, initialSessionState } from './sessionState';

let seq = 0;
const T0 = Date.parse('2024-05-01T12:00:00Z');
function ev(type: string, payload: object, at = T0 + seq * 1000): EventLike {
  seq += 1;
  return { seq, type, timestamp: new Date(at).toISOString(), payload };
}
function fresh() {
  seq = 0;
  return initialSessionState();
}
const inOneMinute = new Date(T0 + 60_000).toISOString();
function req(s: SessionView, id: string): EngineerRequest {
  const r = s.requests[id];
  if (!r) throw new Error(`no request ${id}`);
  return r;
}

describe('session state: commands', () => {
  it('follows a command from request to exit code with streamed output', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('task_status', { status: 'active' }),
      ev('engineer_connected', { engineer: { id: 'e1', name: 'Maria', title: 'ex-FAANG' }, kind: 'human' }),
      ev('request_command', {
        requestId: 'r1',
        command: 'npm test',
        reason: 'see the failure',
        expiresAt: inOneMinute,
      }),
    ]);
    expect(s.requests.r1).toMatchObject({ kind: 'command', command: 'npm test', state: 'pending' });
    expect(requestStatus(req(s, 'r1'), T0 + 15_000)).toMatchObject({
      label: 'Waiting for the customer',
      countdown: '0:45',
    });

    s = applyEvent(s, ev('approve_command', { requestId: 'r1', approved: true, scope: 'once' }));
    expect(s.requests.r1?.state).toBe('approved');
    s = applyEvent(s, ev('command_output', { requestId: 'r1', stream: 'stdout', data: 'PASS a\n' }));
    s = applyEvent(s, ev('command_output', { requestId: 'r1', stream: 'stderr', data: 'FAIL b\n' }));
    expect(s.requests.r1).toMatchObject({
      state: 'running',
      output: [
        { stream: 'stdout', data: 'PASS a\n' },
        { stream: 'stderr', data: 'FAIL b\n' },
      ],
    });
    expect(requestStatus(req(s, 'r1'), T0).label).toBe('Running…');

    s = applyEvent(
      s,
      ev('command_result', { requestId: 'r1', exitCode: 1, durationMs: 2300, truncated: true, redactions: 2 }),
    );
    const st = requestStatus(req(s, 'r1'), T0);
    expect(st).toMatchObject({ label: 'Exit code 1', tone: 'bad' });
    expect(st.notes).toEqual([
      "2 values redacted by the customer's side",
      "Output truncated by the customer's side",
      'Ran for 2 s',
    ]);
    expect(s.items.map((i) => i.kind)).toEqual(['notice', 'request']);
  });

  it('shows denial, expiry and an exit code of 0', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('request_command', { requestId: 'a', command: 'ls', reason: '', expiresAt: inOneMinute }),
      ev('request_command', { requestId: 'b', command: 'env', reason: '', expiresAt: inOneMinute }),
      ev('request_command', { requestId: 'c', command: 'true', reason: '', expiresAt: inOneMinute }),
      ev('approve_command', { requestId: 'a', approved: false }),
      ev('request_expired', { requestId: 'b' }),
      ev('approve_command', { requestId: 'c', approved: true }),
      ev('command_result', { requestId: 'c', exitCode: 0, durationMs: 5, truncated: false, redactions: 0 }),
    ]);
    expect(requestStatus(req(s, 'a'), T0)).toMatchObject({ label: 'Denied by the customer', tone: 'bad' });
    expect(requestStatus(req(s, 'b'), T0)).toMatchObject({
      label: 'Expired: no answer in time (counts as denied)',
      tone: 'bad',
    });
    expect(requestStatus(req(s, 'c'), T0)).toMatchObject({
      label: 'Exit code 0',
      tone: 'good',
      notes: ['Ran for 5 ms'],
    });
  });

  it('ignores out-of-order or forged transitions', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('request_command', { requestId: 'r', command: 'ls', reason: '' }),
      // output before approval, a result before approval, approval of an unknown id
      ev('command_output', { requestId: 'r', stream: 'stdout', data: 'sneaky' }),
      ev('command_result', { requestId: 'r', exitCode: 0, durationMs: 1, truncated: false, redactions: 0 }),
      ev('approve_command', { requestId: 'nope', approved: true }),
      ev('approve_command', { requestId: 'r', approved: false }),
      // a second decision after the first
      ev('approve_command', { requestId: 'r', approved: true }),
      ev('request_expired', { requestId: 'r' }),
    ]);
    expect(s.requests.r).toMatchObject({ state: 'denied', output: [] });
    expect(s.requests.nope).toBeUndefined();
  });

  it('reports a command that could not run or was killed', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('request_command', { requestId: 'x', command: 'sleep 99', reason: '' }),
      ev('approve_command', { requestId: 'x', approved: true }),
      ev('command_result', {
        requestId: 'x',
        exitCode: null,
        signal: 'SIGTERM',
        durationMs: 30_000,
        truncated: false,
        redactions: 0,
      }),
      ev('request_command', { requestId: 'y', command: 'npm test', reason: '' }),
      ev('approve_command', { requestId: 'y', approved: true }),
      ev('command_result', {
        requestId: 'y',
        exitCode: null,
        durationMs: 0,
        truncated: false,
        redactions: 0,
        error: 'project root is gone',
      }),
    ]);
    expect(requestStatus(req(s, 'x'), T0).label).toBe('Stopped by SIGTERM');
    expect(requestStatus(req(s, 'y'), T0)).toMatchObject({
      label: 'Could not run: project root is gone',
      tone: 'bad',
    });
  });

  it('reads "Expiring…" once the deadline passed but the server has not said so yet', () => {
    let s = fresh();
    s = applyEvent(s, ev('request_command', { requestId: 'r', command: 'ls', reason: '', expiresAt: inOneMinute }));
    expect(requestStatus(req(s, 'r'), T0 + 61_000)).toMatchObject({ label: 'Expiring…', countdown: '0:00' });
  });
});

describe('session state: decline reasons', () => {
  it('keeps the reason of a declined command or file request, and none for an approval', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('request_command', { requestId: 'c1', command: 'npm test', reason: '', expiresAt: inOneMinute }),
      ev('request_file', { requestId: 'f1', path: '.env', reason: '', expiresAt: inOneMinute }),
      ev('request_command', { requestId: 'c2', command: 'ls', reason: '', expiresAt: inOneMinute }),
      ev('approve_command', { requestId: 'c1', approved: false, reason: 'needs a database' }),
      ev('approve_file', { requestId: 'f1', approved: false, reason: 'holds secrets' }),
      ev('approve_command', { requestId: 'c2', approved: true, reason: 'ignored' }),
    ]);
    expect(req(s, 'c1')).toMatchObject({ state: 'denied', declineReason: 'needs a database' });
    expect(req(s, 'f1')).toMatchObject({ state: 'denied', declineReason: 'holds secrets' });
    expect(req(s, 'c2').declineReason).toBeUndefined();
  });
});

describe('session state: files, chat, billing, end', () => {
  it('tracks file requests: refused with a reason, and received with redactions', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('request_file', { requestId: 'f1', path: '.env', reason: 'config', expiresAt: inOneMinute }),
      ev('request_file', { requestId: 'f2', path: 'src/auth.js', reason: 'read it', expiresAt: inOneMinute }),
      ev('approve_file', { requestId: 'f1', approved: false, refusedReason: 'sensitive file' }),
      ev('approve_file', { requestId: 'f2', approved: true }),
    ]);
    expect(requestStatus(req(s, 'f2'), T0).label).toBe('Approved, uploading…');
    s = applyEvent(
      s,
      ev('file_upload', {
        requestId: 'f2',
        path: 'src/auth.js',
        size: 20,
        sha256: 'a'.repeat(64),
        encoding: 'utf8',
        content: 'k = "[REDACTED:key]"',
        redactions: 1,
      }),
    );
    expect(requestStatus(req(s, 'f1'), T0)).toMatchObject({ label: 'Refused: sensitive file', tone: 'bad' });
    expect(s.requests.f2).toMatchObject({
      state: 'completed',
      file: { content: 'k = "[REDACTED:key]"', redactions: 1 },
    });
    expect(requestStatus(req(s, 'f2'), T0).notes).toEqual(["1 value redacted by the customer's side"]);
  });

  it('does not accept a file upload for a request that was not approved', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('request_file', { requestId: 'f', path: 'a', reason: '' }),
      ev('file_upload', {
        requestId: 'f',
        path: 'a',
        size: 1,
        sha256: 'b'.repeat(64),
        encoding: 'utf8',
        content: 'x',
        redactions: 0,
      }),
    ]);
    expect(s.requests.f?.state).toBe('pending');
  });

  it('keeps chat, screenshare links and billing, and ends the session', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('task_status', { status: 'queued', queuePosition: 2 }),
      ev('customer_message', { text: 'hi', redactions: 1 }),
      ev('engineer_message', { text: 'hello' }),
      ev('screenshare_request', { url: 'https://meet.example/abc' }),
      ev('billing_update', { creditsUsed: 3, balance: 97, ratePerMinute: 1, minutes: 3 }),
      ev('request_file', { requestId: 'f', path: 'a', reason: '' }),
      ev('session_end', {
        endedBy: 'customer',
        reason: 'fixed',
        summary: { engineer: 'Maria', durationSeconds: 180, creditsUsed: 3 },
      }),
    ]);
    expect(s.items.slice(0, 3)).toMatchObject([
      { kind: 'message', from: 'customer', text: 'hi', redactions: 1 },
      { kind: 'message', from: 'engineer', text: 'hello' },
      { kind: 'screenshare', url: 'https://meet.example/abc' },
    ]);
    expect(s.billing).toMatchObject({ creditsUsed: 3, balance: 97 });
    expect(s.status).toBe('ended');
    expect(s.ended).toMatchObject({ endedBy: 'customer', summary: { durationSeconds: 180 } });
    expect(s.items.at(-1)).toMatchObject({ kind: 'notice', text: 'Session ended by the customer: fixed' });
    expect(requestStatus(req(s, 'f'), T0).label).toBe('Not answered before the session ended');
  });

  it('skips events it already has, so a replay after reconnect changes nothing', () => {
    let s = fresh();
    const events = [ev('engineer_message', { text: 'one' }), ev('engineer_message', { text: 'two' })];
    s = applyEvents(s, events);
    const again = applyEvents(s, events);
    expect(again).toBe(s);
    expect(again.items).toHaveLength(2);
    expect(again.lastSeq).toBe(2);
  });

  it('ignores unknown event types and malformed payloads without throwing', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('mystery', { a: 1 }),
      ev('engineer_message', null as unknown as object),
      ev('task_status', { status: 'weird' }),
    ]);
    expect(s.lastSeq).toBe(3);
    expect(s.status).toBeNull();
    expect(s.items).toEqual([{ kind: 'message', seq: 2, at: expect.any(String), from: 'engineer', text: '' }]);
  });
});

describe('session state: folder, time limit and the session allowance', () => {
  const asked = (requestId: string, extra: object = {}) =>
    ev('request_command', { requestId, command: 'npm test', reason: '', expiresAt: inOneMinute, ...extra });
  const ran = (requestId: string) => [
    ev('command_result', { requestId, exitCode: 0, durationMs: 10, truncated: false, redactions: 0 }),
  ];

  it('keeps the folder and the limit, and says which runs went without asking', () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('task_status', { status: 'active' }),
      asked('r1', { cwd: 'packages/api', timeoutSeconds: 90 }),
      ev('approve_command', { requestId: 'r1', approved: true, scope: 'session' }),
      ...ran('r1'),
      asked('r2', { cwd: 'packages/api', timeoutSeconds: 90 }),
      ev('approve_command', { requestId: 'r2', approved: true, scope: 'session' }),
      // Another folder: not covered by the allowance, so its session approval was a new answer.
      asked('r3', { cwd: 'packages/web', timeoutSeconds: 90 }),
      ev('approve_command', { requestId: 'r3', approved: true, scope: 'session' }),
      asked('r4', { cwd: 7, timeoutSeconds: 'x' }),
    ]);
    expect(req(s, 'r1')).toMatchObject({ cwd: 'packages/api', timeoutSeconds: 90, scope: 'session' });
    expect(req(s, 'r1')).not.toHaveProperty('underAllowance');
    expect(requestStatus(req(s, 'r1'), T0).notes).toContain(
      'The customer allowed this exact command for the rest of the session',
    );
    expect(req(s, 'r2')).toMatchObject({ underAllowance: true });
    expect(requestStatus(req(s, 'r2'), T0).label).toBe('Approved by the session allowance, starting…');
    s = applyEvents(s, ran('r2'));
    expect(requestStatus(req(s, 'r2'), T0).notes).toContain(
      'Ran without asking, under the session-wide allowance the customer gave earlier',
    );
    expect(req(s, 'r3')).not.toHaveProperty('underAllowance');
    // Odd values are dropped, not shown.
    expect(req(s, 'r4')).not.toHaveProperty('cwd');
    expect(req(s, 'r4')).not.toHaveProperty('timeoutSeconds');
  });

  it("shows why the customer's side refused a command without asking", () => {
    let s = fresh();
    s = applyEvents(s, [
      ev('task_status', { status: 'active' }),
      asked('r1', { cwd: 'escape' }),
      ev('approve_command', {
        requestId: 'r1',
        approved: false,
        refusedReason: 'the working directory escapes the project root through a symbolic link',
      }),
    ]);
    expect(requestStatus(req(s, 'r1'), T0)).toMatchObject({
      label: 'Refused: the working directory escapes the project root through a symbolic link',
      tone: 'bad',
    });
  });
});

describe('session state: the end', () => {
  it("keeps the engineer's resolution note of session_end, and drops an odd one", () => {
    const end = (resolution: unknown) =>
      applyEvents(fresh(), [
        ev('session_end', {
          endedBy: 'engineer',
          reason: 'Fixed',
          resolution,
          summary: { engineer: 'Maria', durationSeconds: 60, creditsUsed: 1 },
        }),
      ]).ended;
    expect(end('Pinned lodash.')).toMatchObject({ endedBy: 'engineer', resolution: 'Pinned lodash.' });
    expect(end(42)).not.toHaveProperty('resolution');
    expect(end('')).not.toHaveProperty('resolution');
  });
});
