import type { ServerMessage, ServerMessageType, ServerPayload } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { sessionReducer } from '../../src/ui/sessionReducer';
import {
  type Action,
  activePrompt,
  initialSessionState,
  type Request,
  type SessionState,
  secondsLeft,
} from '../../src/ui/sessionState';

const T0 = Date.parse('2025-01-01T12:00:00.000Z');

function ev<T extends ServerMessageType>(type: T, payload: ServerPayload<T>, seq?: number, at = T0): ServerMessage<T> {
  return { type, timestamp: new Date(at).toISOString(), payload, seq };
}

function run(actions: Action[], state = initialSessionState({ customerName: 'Ann', now: T0 })): SessionState {
  return actions.reduce(sessionReducer, state);
}

const frame = (f: ServerMessage, now = T0): Action => ({ type: 'frame', frame: f, now });
const welcome = (lastSeq = 0, serverAt = T0) =>
  frame(ev('welcome', { taskId: 't1', status: 'active', role: 'customer', lastSeq }, undefined, serverAt));
const maria = ev('engineer_connected', { engineer: { id: 'e1', name: 'Maria', title: 'ex-FAANG' }, kind: 'human' }, 1);
const npmTest = (seq: number, expiresAt = new Date(T0 + 60_000).toISOString(), requestId = 'r1') =>
  ev('request_command', { requestId, command: 'npm test', reason: 'see the failure', expiresAt }, seq);

describe('sessionReducer: connection and queue', () => {
  it('goes live on welcome and shows the queue position from task_status', () => {
    const s = run([
      welcome(),
      frame(ev('task_status', { status: 'queued', queuePosition: 2, estimatedWaitSeconds: 240 }, 1)),
    ]);
    expect(s.phase).toBe('live');
    expect(s.status).toBe('queued');
    expect(s.queue).toEqual({ position: 2, estimatedWaitSeconds: 240 });
  });

  it('announces the engineer with name and title and leaves the queue', () => {
    const s = run([
      welcome(),
      frame(ev('task_status', { status: 'queued', queuePosition: 1 }, 1)),
      { type: 'askKeepWaiting' },
      frame({ ...maria, seq: 2 }),
    ]);
    expect(s.engineer).toMatchObject({ name: 'Maria', title: 'ex-FAANG', online: true });
    expect(s.queue).toBeNull();
    expect(s.askKeepWaiting).toBe(false);
    expect(s.entries.at(-1)).toMatchObject({ kind: 'system', text: 'Engineer connected: Maria (ex-FAANG)' });
  });

  it('asks "continue waiting?" only while queued', () => {
    expect(
      run([welcome(), frame(ev('task_status', { status: 'queued' }, 1)), { type: 'askKeepWaiting' }]).askKeepWaiting,
    ).toBe(true);
    expect(run([welcome(), frame(maria), { type: 'askKeepWaiting' }]).askKeepWaiting).toBe(false);
  });

  it('ignores an event it has already applied (same seq)', () => {
    const msg = ev('engineer_message', { text: 'hi' }, 2);
    const s = run([welcome(), frame(maria), frame(msg), frame(msg)]);
    expect(s.entries.filter((e) => e.kind === 'message')).toHaveLength(1);
  });
});

describe('sessionReducer: chat', () => {
  it('names engineer lines after the engineer', () => {
    const s = run([welcome(), frame(maria), frame(ev('engineer_message', { text: 'Hello!' }, 2))]);
    expect(s.entries.at(-1)).toMatchObject({ kind: 'message', who: 'engineer', name: 'Maria', text: 'Hello!' });
  });

  it('shows my message once whether the ack or the echo comes first', () => {
    const sent: Action = {
      type: 'chatSent',
      localId: 'm1',
      text: 'it fails',
      redactions: 1,
      at: new Date(T0).toISOString(),
    };
    const echo = frame(ev('customer_message', { text: 'it fails', redactions: 1 }, 3));
    const ackFirst = run([welcome(), frame(maria), sent, { type: 'ack', id: 'm1', seq: 3 }, echo]);
    const echoFirst = run([welcome(), frame(maria), sent, echo, { type: 'ack', id: 'm1', seq: 3 }]);
    for (const s of [ackFirst, echoFirst]) {
      const mine = s.entries.filter((e) => e.kind === 'message' && e.who === 'customer');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ text: 'it fails', redactions: 1 });
    }
    expect(ackFirst.entries.at(-1)).toMatchObject({ pending: false, seq: 3 });
  });

  it('shows customer messages replayed from an earlier run', () => {
    const s = run([welcome(5), frame(ev('customer_message', { text: 'from before' }, 1))]);
    expect(s.entries[0]).toMatchObject({ who: 'customer', name: 'You', text: 'from before' });
  });
});

describe('sessionReducer: command requests', () => {
  it('queues a request as the active prompt and clears it on approval', () => {
    let s = run([welcome(), frame(maria), frame(npmTest(2))]);
    expect(activePrompt(s)).toMatchObject({ kind: 'command', command: 'npm test', reason: 'see the failure' });
    expect(secondsLeft(activePrompt(s) as Request, T0)).toBe(60);
    s = run([{ type: 'decided', requestId: 'r1', approved: true, scope: 'once' }], s);
    expect(activePrompt(s)).toBeNull();
    expect(s.requests.r1).toMatchObject({ status: 'approved', scope: 'once' });
  });

  it('keeps a tail of the output and the result of a command run here, ignoring our own echoes', () => {
    const s = run([
      welcome(),
      frame(maria),
      frame(npmTest(2)),
      { type: 'decided', requestId: 'r1', approved: true, scope: 'once' },
      { type: 'commandStarted', requestId: 'r1' },
      { type: 'commandOutput', requestId: 'r1', data: 'PASS a\n' },
      frame(ev('command_output', { requestId: 'r1', stream: 'stdout', data: 'PASS a\n' }, 4)),
      { type: 'commandOutput', requestId: 'r1', data: 'FAIL b\n' },
      {
        type: 'commandFinished',
        requestId: 'r1',
        exitCode: 1,
        signal: null,
        durationMs: 1200,
        truncated: false,
        redactions: 2,
      },
    ]);
    expect(s.requests.r1).toMatchObject({
      status: 'completed',
      exitCode: 1,
      outputTail: 'PASS a\nFAIL b\n',
      redactions: 2,
      outputBytes: 14,
    });
  });

  it('does not ask again about requests decided in an earlier run (replay)', () => {
    const s = run([
      welcome(10),
      frame(maria),
      frame(npmTest(2)),
      frame(ev('approve_command', { requestId: 'r1', approved: true, scope: 'once' }, 3)),
      frame(ev('command_output', { requestId: 'r1', stream: 'stdout', data: 'ok\n' }, 4)),
      frame(ev('command_result', { requestId: 'r1', exitCode: 0, durationMs: 5, truncated: false, redactions: 0 }, 5)),
      frame(npmTest(6, undefined, 'r2')),
      frame(ev('approve_command', { requestId: 'r2', approved: false }, 7)),
    ]);
    expect(activePrompt(s)).toBeNull();
    expect(s.requests.r1).toMatchObject({ status: 'completed', exitCode: 0, outputTail: 'ok\n' });
    expect(s.requests.r2).toMatchObject({ status: 'denied' });
  });

  it('expires an unanswered prompt locally at its deadline, corrected for clock skew', () => {
    // The server clock runs 30 s ahead of ours; the request expires 60 s after the server's now.
    const serverNow = T0 + 30_000;
    let s = run([welcome(0, serverNow), frame(maria), frame(npmTest(2, new Date(serverNow + 60_000).toISOString()))]);
    s = run([{ type: 'tick', now: T0 + 59_000 }], s);
    expect(activePrompt(s)?.requestId).toBe('r1');
    expect(secondsLeft(activePrompt(s) as Request, s.now)).toBe(1);
    s = run([{ type: 'tick', now: T0 + 60_000 }], s);
    expect(activePrompt(s)).toBeNull();
    expect(s.requests.r1?.status).toBe('expired');
    // A decision that arrives afterwards changes nothing.
    s = run([{ type: 'decided', requestId: 'r1', approved: true, scope: 'once' }], s);
    expect(s.requests.r1?.status).toBe('expired');
  });

  it('treats request_expired from the server as denied', () => {
    const s = run([welcome(), frame(maria), frame(npmTest(2)), frame(ev('request_expired', { requestId: 'r1' }, 3))]);
    expect(s.requests.r1?.status).toBe('expired');
    expect(activePrompt(s)).toBeNull();
  });

  it('marks a decision the server refused as expired', () => {
    const s = run([
      welcome(),
      frame(maria),
      frame(npmTest(2)),
      { type: 'decided', requestId: 'r1', approved: true, scope: 'once' },
      { type: 'decisionRefused', requestId: 'r1', reason: 'The request expired.' },
    ]);
    expect(s.requests.r1).toMatchObject({ status: 'expired', error: 'The request expired.' });
  });

  it('asks about several requests one at a time, oldest first', () => {
    let s = run([welcome(), frame(maria), frame(npmTest(2, undefined, 'a')), frame(npmTest(3, undefined, 'b'))]);
    expect(s.promptQueue).toEqual(['a', 'b']);
    s = run([{ type: 'decided', requestId: 'a', approved: false }], s);
    expect(activePrompt(s)?.requestId).toBe('b');
  });
});

describe('sessionReducer: file requests', () => {
  const fileReq = ev(
    'request_file',
    { requestId: 'f1', path: '.env', reason: 'check config', expiresAt: new Date(T0 + 60_000).toISOString() },
    2,
  );

  it('asks only after the local check, and remembers that the file is sensitive', () => {
    let s = run([welcome(), frame(maria), frame(fileReq)]);
    expect(activePrompt(s)).toBeNull();
    s = run([{ type: 'fileChecked', requestId: 'f1', size: 120, sensitive: true }], s);
    expect(activePrompt(s)).toMatchObject({ kind: 'file', path: '.env', size: 120, sensitive: true });
    s = run(
      [
        { type: 'decided', requestId: 'f1', approved: true },
        { type: 'fileSent', requestId: 'f1', size: 120, redactions: 3 },
      ],
      s,
    );
    expect(s.requests.f1).toMatchObject({ status: 'completed', redactions: 3 });
  });

  it('never asks about a file the local check refused', () => {
    const s = run([
      welcome(),
      frame(maria),
      frame(fileReq),
      { type: 'fileRefused', requestId: 'f1', reason: 'outside the project' },
    ]);
    expect(activePrompt(s)).toBeNull();
    expect(s.requests.f1).toMatchObject({ status: 'refused', refusedReason: 'outside the project' });
  });
});

describe('sessionReducer: billing, screenshare and the end', () => {
  it('keeps the latest billing and warns once about a low balance', () => {
    const s = run([
      welcome(),
      frame(maria),
      frame(ev('billing_update', { creditsUsed: 1, balance: 9, ratePerMinute: 1, minutes: 1 }, 2)),
      frame(
        ev('billing_update', { creditsUsed: 2, balance: 4, ratePerMinute: 1, minutes: 2, warning: 'low_balance' }, 3),
      ),
      frame(
        ev('billing_update', { creditsUsed: 3, balance: 3, ratePerMinute: 1, minutes: 3, warning: 'low_balance' }, 4),
      ),
    ]);
    expect(s.billing).toMatchObject({ creditsUsed: 3, balance: 3, lowBalance: true });
    expect(s.entries.filter((e) => e.kind === 'system' && e.text.startsWith('Low balance'))).toHaveLength(1);
  });

  it('shows a screenshare link until dismissed', () => {
    let s = run([
      welcome(),
      frame(maria),
      frame(ev('screenshare_request', { url: 'https://meet.example.test/abc' }, 2)),
    ]);
    expect(s.screenshare).toEqual({ url: 'https://meet.example.test/abc', opened: false });
    s = run([{ type: 'screenshareOpened' }, { type: 'screenshareDismissed' }], s);
    expect(s.screenshare).toBeNull();
  });

  it('confirms Ctrl+C before ending, and can be cancelled', () => {
    let s = run([welcome(), frame(maria), { type: 'ctrlC' }]);
    expect(s.phase).toBe('confirmExit');
    s = run([{ type: 'cancelExit' }], s);
    expect(s.phase).toBe('live');
  });

  it('on session_end shows the summary, drops open prompts and asks for a rating', () => {
    const s = run([
      welcome(),
      frame(maria),
      frame(npmTest(2)),
      frame(
        ev(
          'session_end',
          {
            endedBy: 'engineer',
            reason: 'fixed',
            summary: { engineer: 'Maria', durationSeconds: 720, creditsUsed: 12 },
          },
          3,
        ),
      ),
    ]);
    expect(s.phase).toBe('rating');
    expect(s.summary).toMatchObject({ endedBy: 'engineer', engineer: 'Maria', creditsUsed: 12 });
    expect(activePrompt(s)).toBeNull();
    expect(s.requests.r1?.status).toBe('expired');
  });

  it('skips the rating when no engineer ever joined', () => {
    const s = run([
      welcome(),
      frame(
        ev(
          'session_end',
          { endedBy: 'customer', reason: 'cancelled', summary: { engineer: null, durationSeconds: 0, creditsUsed: 0 } },
          1,
        ),
      ),
    ]);
    expect(s.phase).toBe('done');
  });

  it('walks rating → feedback → saved', () => {
    const s = run([
      welcome(),
      frame(maria),
      {
        type: 'ended',
        summary: { endedBy: 'customer', reason: '', engineer: 'Maria', durationSeconds: 60, creditsUsed: 1 },
      },
      { type: 'rated', rating: 5 },
      { type: 'feedbackDraft', text: 'great' },
      { type: 'ratingSaved' },
    ]);
    expect(s).toMatchObject({ phase: 'done', rating: 5, feedbackDraft: 'great', ratingSaved: true });
  });
});
