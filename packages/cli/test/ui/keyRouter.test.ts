import { describe, expect, it } from 'vitest';
import { routeKey, type SessionActions } from '../../src/ui/keyRouter';
import { sessionReducer } from '../../src/ui/sessionReducer';
import type { Action, SessionState } from '../../src/ui/sessionState';
import { liveScreenAt } from './liveScreen';

const T0 = Date.parse('2025-01-01T12:00:00Z');
const { ev, frame, run: stateWith } = liveScreenAt(T0);
const live = [
  frame(ev('welcome', { taskId: 't', status: 'active', role: 'customer', lastSeq: 0 })),
  frame(ev('engineer_connected', { engineer: { id: 'e', name: 'Maria', title: null }, kind: 'human' }, 1)),
];
const command = frame(
  ev(
    'request_command',
    { requestId: 'r1', command: 'npm test', reason: '', expiresAt: new Date(T0 + 60_000).toISOString() },
    2,
  ),
);
const file = (sensitive: boolean): Action[] => [
  frame(
    ev(
      'request_file',
      { requestId: 'f1', path: 'conf/.env', reason: '', expiresAt: new Date(T0 + 60_000).toISOString() },
      3,
    ),
  ),
  { type: 'fileChecked', requestId: 'f1', size: 10, sensitive },
];

/** A session that records what the keys asked for, and keeps a real store for text fields. */
function recorder(initial: SessionState) {
  let state = initial;
  const calls: string[] = [];
  const rec =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push(`${name}(${args.map((a) => JSON.stringify(a)).join(',')})`);
    };
  const session: SessionActions = {
    submitIssue: rec('submitIssue'),
    setDraft: (text: string) => {
      state = sessionReducer(state, { type: 'draft', text });
    },
    sendChat: rec('sendChat'),
    decideCommand: rec('decideCommand'),
    decideFile: rec('decideFile'),
    setConfirmDraft: (text: string) => {
      state = sessionReducer(state, { type: 'confirmDraft', text });
    },
    submitConfirm: rec('submitConfirm'),
    openScreenshare: async () => void calls.push('openScreenshare()'),
    dismissScreenshare: rec('dismissScreenshare'),
    answerKeepWaiting: rec('answerKeepWaiting'),
    interrupt: rec('interrupt'),
    confirmExit: rec('confirmExit'),
    rate: rec('rate'),
    setFeedback: rec('setFeedback'),
    submitFeedback: rec('submitFeedback'),
    skipRating: rec('skipRating'),
    abort: rec('abort'),
  } as SessionActions;
  const press = (input: string, key = {}, armed = true) =>
    routeKey(
      () => state,
      input,
      key,
      session,
      () => armed,
    );
  return {
    calls,
    press,
    get state() {
      return state;
    },
  };
}

describe('routeKey', () => {
  it('types into the chat and sends on Enter', () => {
    const r = recorder(stateWith(live));
    r.press('hello');
    r.press('\r', { return: true });
    expect(r.state.draft).toBe('hello');
    expect(r.calls).toEqual(['sendChat("hello")']);
  });

  it('answers a command prompt with y, a and n (Esc too)', () => {
    for (const [key, choice] of [
      ['y', 'once'],
      ['a', 'session'],
      ['n', 'deny'],
      ['Y', 'once'],
    ] as const) {
      const r = recorder(stateWith([...live, command]));
      r.press(key);
      expect(r.calls).toEqual([`decideCommand("r1","${choice}")`]);
    }
    const esc = recorder(stateWith([...live, command]));
    esc.press('', { escape: true });
    expect(esc.calls).toEqual(['decideCommand("r1","deny")']);
  });

  it('ignores prompt keys until the prompt is armed, and other letters always', () => {
    const r = recorder(stateWith([...live, command]));
    r.press('y', {}, false);
    r.press('x');
    r.press('q');
    expect(r.calls).toEqual([]);
    expect(r.state.draft).toBe('');
  });

  it('while a prompt is up, typing does not reach the chat', () => {
    const r = recorder(stateWith([...live, command]));
    r.press('hello');
    expect(r.state.draft).toBe('');
  });

  it('a normal file is y/n; a sensitive one needs its name typed, y alone is just a letter', () => {
    const normal = recorder(stateWith([...live, ...file(false)]));
    normal.press('y');
    expect(normal.calls).toEqual(['decideFile("f1",true)']);

    const sensitive = recorder(stateWith([...live, ...file(true)]));
    sensitive.press('y');
    expect(sensitive.calls).toEqual([]);
    expect(sensitive.state.confirmDraft).toBe('y');
    sensitive.press('', { backspace: true });
    sensitive.press('.env\r');
    expect(sensitive.state.confirmDraft).toBe('.env');
    expect(sensitive.calls).toEqual(['submitConfirm("f1")']);
    sensitive.press('', { escape: true });
    expect(sensitive.calls.at(-1)).toBe('decideFile("f1",false)');
  });

  it('Ctrl+C always goes to interrupt, whatever owns the keyboard', () => {
    const r = recorder(stateWith([...live, command]));
    r.press('c', { ctrl: true });
    expect(r.calls).toEqual(['interrupt()']);
  });

  it('several keys in one read are applied one at a time outside text fields', () => {
    const r = recorder(
      stateWith([
        ...live,
        {
          type: 'ended',
          summary: { endedBy: 'engineer', reason: '', engineer: 'Maria', durationSeconds: 60, creditsUsed: 1 },
        },
      ]),
    );
    r.press('64');
    expect(r.calls).toEqual(['rate(4)']);
  });

  it('routes the queue question, the exit confirmation and the screenshare', () => {
    const queued = recorder(
      stateWith([
        frame(ev('welcome', { taskId: 't', status: 'queued', role: 'customer', lastSeq: 0 })),
        frame(ev('task_status', { status: 'queued' }, 1)),
        { type: 'askKeepWaiting' },
      ]),
    );
    queued.press('n');
    expect(queued.calls).toEqual(['answerKeepWaiting(false)']);

    const exit = recorder(stateWith([...live, { type: 'ctrlC' }]));
    exit.press('y');
    expect(exit.calls).toEqual(['confirmExit(true)']);

    const share = recorder(
      stateWith([...live, frame(ev('screenshare_request', { url: 'https://meet.example.test/x' }, 2))]),
    );
    share.press('o');
    share.press('', { escape: true });
    expect(share.calls).toEqual(['openScreenshare()', 'dismissScreenshare()']);
  });

  it('never opens a screenshare link that breaks the link rule, even on [o]', () => {
    for (const url of ['https://meet.google.com@evil.example/x', 'file:///etc/passwd', 'http://localhost:3000/']) {
      const share = recorder(stateWith([...live, frame(ev('screenshare_request', { url }, 2))]));
      share.press('o');
      share.press('', { escape: true });
      expect(share.calls, url).toEqual(['dismissScreenshare()']);
    }
  });

  it('does nothing while starting or ending', () => {
    const r = recorder(stateWith([...live, { type: 'endRequested' }]));
    r.press('y');
    r.press('hello');
    expect(r.calls).toEqual([]);
  });
});
