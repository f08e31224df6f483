// @vitest-environment jsdom
import type { Task } from '@codevf/protocol';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { taskFixture } from '../../../../protocol/test/support/taskFixture';
import { typeInto } from '../../testing/dom';
import { fakeApi } from '../../testing/fakeApi';
import { fakeWebSocket, serverSays } from '../../testing/fakeWebSocket';
import { type Rendered, render, settle } from '../../testing/render';
import { CustomerLiveView } from './CustomerLiveView';

// The customer's live view against a fake server socket: chat while waiting in the queue and
// once an engineer joins, requests shown as waiting for the terminal with nothing to approve
// them by, and no composer once the session ended or for a role the server did not make customer.

const at = new Date().toISOString();
const maria = { id: 'e1', name: 'Maria', title: null };

const task = (over: Partial<Task> = {}): Task =>
  taskFixture({ aiLed: false, customerName: 'Chris', createdAt: at, ...over });

const chatBox = (v: Rendered) => v.container.querySelector<HTMLTextAreaElement>('#chat-input');

describe('CustomerLiveView', () => {
  it('chats while queued and once the engineer joined; a request waits for the terminal, with no way to approve it here', async () => {
    const sockets = fakeWebSocket();
    fakeApi({});
    const view = render(<CustomerLiveView task={task()} />);
    await settle();
    const s = sockets[0];
    expect(s?.sent[0]).toMatchObject({ type: 'hello', payload: { lastSeq: 0 } });
    await serverSays(s, 'welcome', { taskId: 't1', status: 'queued', role: 'customer', lastSeq: 1 });
    await serverSays(s, 'task_status', { status: 'queued', queuePosition: 2 }, 1);
    expect(view.container.textContent).toContain('Waiting for an engineer');

    const box = chatBox(view);
    if (!box) throw new Error('no chat box');
    typeInto(box, ' The login page says 500 ');
    await act(async () => box.closest('form')?.requestSubmit());
    expect(s?.sent.at(-1)).toMatchObject({ type: 'customer_message', payload: { text: 'The login page says 500' } });
    await act(async () => s?.ack('customer_message', 2));
    await settle();
    expect(box.value).toBe('');

    await serverSays(s, 'task_status', { status: 'active' }, 3);
    await serverSays(s, 'engineer_connected', { engineer: maria, kind: 'human' }, 4);
    await serverSays(s, 'engineer_message', { text: 'On it.' }, 5);
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    await serverSays(s, 'request_command', { requestId: 'r1', command: 'npm test', reason: '', expiresAt }, 6);
    expect(view.container.textContent).not.toContain('Waiting for an engineer');
    expect(view.container.querySelector('[data-testid="session-engineer"]')?.textContent).toContain('Maria');
    expect(view.container.textContent).toContain('The engineer asked for 1 request.');
    expect(view.container.querySelector('[data-testid="request-status"]')?.textContent).toMatch(
      /^Waiting for your approval in the terminal/,
    );
    expect([...view.container.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Send']);

    await serverSays(s, 'approve_command', { requestId: 'r1', approved: false }, 7);
    expect(view.container.textContent).not.toContain('The engineer asked for');
    expect(view.container.querySelector('[data-testid="request-status"]')?.textContent).toBe('Denied by you');

    await serverSays(s, 'session_end', { endedBy: 'engineer', summary: { durationSeconds: 60, creditsUsed: 1 } }, 8);
    expect(view.container.textContent).toContain('Session ended');
    expect(chatBox(view)).toBeNull();
  });

  it('is read only for a socket the server did not welcome as the customer', async () => {
    const sockets = fakeWebSocket();
    fakeApi({});
    const view = render(<CustomerLiveView task={task({ status: 'active', engineer: maria })} />);
    await settle();
    expect(chatBox(view)).not.toBeNull();
    await serverSays(sockets[0], 'welcome', { taskId: 't1', status: 'active', role: 'engineer', lastSeq: 0 });
    expect(chatBox(view)).toBeNull();
  });
});
