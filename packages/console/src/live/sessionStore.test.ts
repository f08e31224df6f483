// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { request } from '../api/client';
import { fakeApi, problem } from '../testing/fakeApi';
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

  describe('once an API call found the session gone', () => {
    afterEach(() => {
      vi.useRealTimers();
    });
    /** Any call the console makes that the server answers 401: the user is being sent to sign in. */
    async function sessionEnds() {
      await expect(request('/v1/queue')).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' });
    }

    it('opens no socket for a session, and says why', async () => {
      fakeApi({ 'GET /v1/queue': problem(401, 'E_UNAUTHORIZED', 'Session expired') });
      const sockets = fakeWebSocket();
      const store = new SessionStore();
      await sessionEnds();
      store.open('a', 'Login fails');
      await tick();
      expect(sockets).toHaveLength(0);
      expect(store.get('a')?.connection).toMatchObject({
        state: 'failed',
        reason: 'Your session expired. Sign in again.',
      });
      store.reconnect('a');
      await tick();
      expect(sockets).toHaveLength(0);
    });

    it('does not reopen a dropped socket, and does not ask the server first', async () => {
      vi.useFakeTimers();
      const expired = problem(401, 'E_UNAUTHORIZED', 'Session expired');
      const api = fakeApi({ 'GET /v1/queue': expired, 'GET /v1/tasks/a': expired });
      const sockets = fakeWebSocket();
      const store = new SessionStore();
      store.open('a', 'Login fails');
      await vi.advanceTimersByTimeAsync(0);
      sockets[0]?.receive('welcome', { taskId: 'a', status: 'active', role: 'engineer', lastSeq: 0 });
      expect(store.get('a')?.connection.state).toBe('live');
      await sessionEnds();
      sockets[0]?.onclose?.({ code: 1006, reason: '' });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(sockets).toHaveLength(1);
      expect(api.calls.map((c) => c.path)).toEqual(['/v1/queue']);
      expect(store.get('a')?.connection.state).toBe('failed');
    });
  });
});
