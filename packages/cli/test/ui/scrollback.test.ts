import type { ServerMessage } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { BELL, ringOnRequests } from '../../src/ui/bell';
import { liveEntries, newlyFinished } from '../../src/ui/scrollback';
import type { Action, SessionState } from '../../src/ui/sessionState';
import { liveScreenAt } from './liveScreen';

const T0 = Date.now();
const { ev, frame, newStore } = liveScreenAt(T0);
const live: Action[] = [
  frame(ev('welcome', { taskId: 'task-1', status: 'active', role: 'customer', lastSeq: 0 })),
  frame(ev('engineer_connected', { engineer: { id: 'e', name: 'Maria', title: null }, kind: 'human' }, 1)),
];
const request = (id: string, seq: number) =>
  frame(
    ev(
      'request_command',
      { requestId: id, command: `echo ${id}`, reason: '', expiresAt: new Date(T0 + 60_000).toISOString() },
      seq,
    ),
  );

function stateAfter(actions: Action[]): SessionState {
  const store = newStore();
  for (const a of actions) store.dispatch(a);
  return store.getState();
}

const keys = (s: SessionState, written: Set<string> = new Set()) => newlyFinished(s, written).map((l) => l.key);

describe('finished lines for the scrollback', () => {
  it('writes server lines and notices at once; our own line only once the server echoed it', () => {
    const sent = stateAfter([
      ...live,
      frame(ev('engineer_message', { text: 'hi' }, 2)),
      { type: 'chatSent', localId: 'm1', text: 'hello', redactions: 0, at: new Date(T0).toISOString() },
    ]);
    expect(keys(sent)).toEqual(['seq:1', 'seq:2']);
    expect(liveEntries(sent, new Set(keys(sent))).map((e) => e.kind === 'message' && e.text)).toEqual(['hello']);
    // Acknowledged but not echoed yet: still in flight (the echo takes its place).
    const acked = stateAfter([
      ...live,
      { type: 'chatSent', localId: 'm1', text: 'hello', redactions: 0, at: new Date(T0).toISOString() },
      { type: 'ack', id: 'm1', seq: 2 },
    ]);
    expect(keys(acked)).toEqual(['seq:1']);
    const echoed = stateAfter([
      ...live,
      { type: 'chatSent', localId: 'm1', text: 'hello', redactions: 0, at: new Date(T0).toISOString() },
      frame({ ...ev('customer_message', { text: 'hello' }, 2), id: 'm1' } as ServerMessage),
    ]);
    expect(keys(echoed)).toEqual(['seq:1', 'seq:2']);
    // Not delivered: final as it is.
    const failed = stateAfter([
      ...live,
      { type: 'chatSent', localId: 'm1', text: 'hello', redactions: 0, at: new Date(T0).toISOString() },
      { type: 'sendFailed', localId: 'm1', reason: 'refused' },
    ]);
    expect(keys(failed)).toEqual(['seq:1', 'local:m1']);
  });

  it('writes a request once it has its outcome, with that outcome; the one being asked is not in the live log', () => {
    const asked = stateAfter([...live, request('r', 2), request('q', 3)]);
    expect(keys(asked)).toEqual(['seq:1']);
    // r is the prompt box; q waits behind it as a line.
    expect(liveEntries(asked, new Set(['seq:1'])).map((e) => e.key)).toEqual(['req:q']);
    const done = stateAfter([
      ...live,
      request('r', 2),
      { type: 'decided', requestId: 'r', approved: true, scope: 'once' },
      { type: 'commandStarted', requestId: 'r' },
      { type: 'commandOutput', requestId: 'r', data: 'out\n' },
    ]);
    expect(keys(done, new Set(['seq:1']))).toEqual([]);
    const finished = stateAfter([
      ...live,
      request('r', 2),
      { type: 'decided', requestId: 'r', approved: true, scope: 'once' },
      { type: 'commandStarted', requestId: 'r' },
      { type: 'commandOutput', requestId: 'r', data: 'out\n' },
      {
        type: 'commandFinished',
        requestId: 'r',
        exitCode: 0,
        signal: null,
        durationMs: 5,
        truncated: false,
        redactions: 0,
      },
    ]);
    const [line] = newlyFinished(finished, new Set(['seq:1']));
    expect(line?.key).toBe('req:r');
    expect(line?.request).toMatchObject({ status: 'completed', outputTail: 'out\n', exitCode: 0 });
  });
});

describe('the bell', () => {
  it('rings once per request or screenshare link waiting for the customer, not for chat', async () => {
    const store = newStore();
    let out = '';
    const stop = ringOnRequests(store, (t) => {
      out += t;
    });
    const tick = () => new Promise((r) => setTimeout(r, 0));
    for (const a of live) store.dispatch(a);
    store.dispatch(frame(ev('engineer_message', { text: 'hi' }, 2)));
    await tick();
    expect(out).toBe('');
    store.dispatch(request('r', 3));
    await tick();
    expect(out).toBe(BELL);
    store.dispatch({ type: 'tick', now: T0 + 1_000 });
    await tick();
    expect(out).toBe(BELL);
    store.dispatch(frame(ev('screenshare_request', { url: 'https://meet.example.test/x' }, 4)));
    await tick();
    expect(out).toBe(BELL + BELL);
    stop();
    store.dispatch(request('q', 5));
    await tick();
    expect(out).toBe(BELL + BELL);
  });

  it('does not ring for a request answered in the same turn it arrived (allowed for the session)', async () => {
    const store = newStore();
    let out = '';
    ringOnRequests(store, (t) => {
      out += t;
    });
    for (const a of live) store.dispatch(a);
    store.dispatch(request('r', 2));
    store.dispatch({ type: 'decided', requestId: 'r', approved: true, scope: 'session', auto: true });
    await new Promise((r) => setTimeout(r, 0));
    expect(out).toBe('');
  });
});
