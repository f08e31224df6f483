// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../testing/fakeApi';
import { fakeWebSocket } from '../testing/fakeWebSocket';
import { type CustomerReply, SessionStore } from './sessionStore';

const tick = () => new Promise((r) => setTimeout(r, 0));
const message = (text: string) => ({ text });

describe('SessionStore (the live sessions an engineer holds)', () => {
  it('keeps one socket per task, counts customer messages that arrive while another one is viewed, not history', async () => {
    fakeApi({});
    const sockets = fakeWebSocket();
    const replies: CustomerReply[] = [];
    const store = new SessionStore((r) => replies.push(r));
    store.open('a', 'Login fails');
    store.open('b', 'Build is slow');
    store.open('a', 'Login fails');
    await tick();
    expect(sockets.map((s) => s.url)).toEqual([
      expect.stringContaining('/v1/tasks/a/ws'),
      expect.stringContaining('/v1/tasks/b/ws'),
    ]);
    const [a, b] = sockets;
    a?.receive('welcome', { taskId: 'a', status: 'active', role: 'engineer', lastSeq: 2 });
    b?.receive('welcome', { taskId: 'b', status: 'active', role: 'engineer', lastSeq: 0 });
    // History replayed after the welcome (seq ≤ 2) is not news.
    a?.receive('customer_message', message('old one'), 1);
    a?.receive('customer_message', message('old two'), 2);
    store.view('a');
    a?.receive('customer_message', message('seen at once'), 3);
    b?.receive('customer_message', message('are you there?'), 1);
    b?.receive('engineer_message', message('mine do not count'), 2);
    b?.receive('customer_message', message('hello?'), 3);
    expect(store.get('a')?.unread).toBe(0);
    expect(store.get('b')?.unread).toBe(2);
    expect(replies.map((r) => [r.taskId, r.description, r.text])).toEqual([
      ['b', 'Build is slow', 'are you there?'],
      ['b', 'Build is slow', 'hello?'],
    ]);
    // The same event again (a resume) is not counted twice.
    b?.receive('customer_message', message('hello?'), 3);
    expect(store.get('b')?.unread).toBe(2);

    store.view('b');
    expect(store.get('b')?.unread).toBe(0);
    expect(store.getSnapshot().map((e) => e.taskId)).toEqual(['a', 'b']);
    // Looking away does not close anything.
    store.view(null);
    expect(a?.closed).toBe(false);
    expect(b?.closed).toBe(false);
    store.close('a');
    expect(a?.closed).toBe(true);
    expect(store.getSnapshot().map((e) => e.taskId)).toEqual(['b']);
    store.stop();
    expect(b?.closed).toBe(true);
  });
});
