// @vitest-environment jsdom
import type { Task } from '@codevf/protocol';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { taskFixture } from '../../../../protocol/test/support/taskFixture';
import { clickButton, typeInto } from '../../testing/dom';
import { fakeApi } from '../../testing/fakeApi';
import { type FakeWebSocket, fakeWebSocket, serverSays } from '../../testing/fakeWebSocket';
import { type Rendered, render, settle } from '../../testing/render';
import { LiveSessionView } from './LiveSessionView';

// The live session page against a fake server socket: what each role the server's welcome
// gives is allowed to do, and a guide taking the task over and coming back as its engineer.

const at = new Date().toISOString();
const ai = { id: 'codevf-ai', name: 'CodeVF AI', title: 'llama3' };
const me = { id: 'e1', name: 'Maria', title: null };

const task = (over: Partial<Task> = {}): Task =>
  taskFixture({
    mode: 'hybrid',
    aiLed: true,
    status: 'active',
    customerName: 'Chris',
    engineer: ai,
    createdAt: at,
    claimedAt: at,
    ...over,
  });

const welcome = (socket: FakeWebSocket | undefined, role: string, lastSeq = 0) =>
  serverSays(socket, 'welcome', { taskId: 't1', status: 'active', role, lastSeq });

function labelled(v: Rendered, label: string): HTMLTextAreaElement | HTMLInputElement | null {
  const l = [...v.container.querySelectorAll('label')].find((x) => x.textContent === label);
  return l ? v.container.querySelector<HTMLTextAreaElement>(`#${l.htmlFor}`) : null;
}
const buttonNames = (v: Rendered) => [...v.container.querySelectorAll('button')].map((b) => b.textContent);
async function click(v: Rendered, name: string) {
  await clickButton(v, name);
  await settle();
}
/** The engineer's tools: none of them may show for a guide. */
function requestTools(v: Rendered) {
  return {
    forms: ['Command', 'Path', 'Link'].filter((l) => labelled(v, l) !== null),
    buttons: ['Request command', 'Request file', 'Send link', 'End session'].filter((n) => buttonNames(v).includes(n)),
    aside: v.container.querySelector('aside[aria-label="Requests"]') !== null,
    chat: labelled(v, 'Message to the customer') !== null,
  };
}
const NO_TOOLS = { forms: [], buttons: [], aside: false, chat: false };

describe('LiveSessionView as a guide', () => {
  it('offers guidance for the AI and no request forms, sends guide_message, and takes over as the engineer', async () => {
    const sockets = fakeWebSocket();
    const api = fakeApi({ 'POST /v1/tasks/t1/takeover': { body: {} }, 'GET /v1/tasks/t1': { body: task() } });
    const view = render(<LiveSessionView task={task()} userId={me.id} />);
    await settle();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.sent[0]).toMatchObject({ type: 'hello', payload: { lastSeq: 0 } });

    await welcome(sockets[0], 'guide', 3);
    await serverSays(sockets[0], 'engineer_connected', { engineer: ai, kind: 'ai' }, 1);
    await serverSays(sockets[0], 'engineer_message', { text: 'May I run npm test?' }, 2);
    await serverSays(sockets[0], 'customer_message', { text: 'Sure.' }, 3);

    expect(view.container.querySelector('h1')?.textContent).toBe('Guiding the AI');
    expect(requestTools(view)).toEqual(NO_TOOLS);
    expect(view.container.textContent).toContain('You are guiding the AI');
    expect(view.container.querySelector('[data-testid="led-by"]')?.textContent).toBe('AI CodeVF AI · llama3');
    expect(view.container.querySelector('li.msg-ai')?.textContent).toContain('May I run npm test?');

    const box = labelled(view, 'Guidance for the AI');
    if (!box) throw new Error('no guidance box');
    expect(box.tagName).toBe('TEXTAREA');
    typeInto(box, '  Check the session cookie first. ');
    await act(async () => box.closest('form')?.requestSubmit());
    expect(sockets[0]?.sent.at(-1)).toMatchObject({
      type: 'guide_message',
      payload: { text: 'Check the session cookie first.' },
    });
    await act(async () => sockets[0]?.ack('guide_message', 4));
    await settle();
    expect(box.value).toBe('');

    // Taking over: the server makes this engineer the task's engineer; the console reconnects
    // and the new welcome gives the engineer's tools.
    await click(view, 'Take over');
    await click(view, 'Yes, take over');
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/v1/tasks/t1/takeover']);
    expect(sockets[0]?.closed).toBe(true);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]?.sent[0]).toMatchObject({ type: 'hello', payload: { lastSeq: 3 } });

    await welcome(sockets[1], 'engineer', 6);
    await serverSays(sockets[1], 'guide_message', { text: 'Check the session cookie first.', guide: me }, 4);
    await serverSays(
      sockets[1],
      'handoff',
      { from: 'ai', reason: 'engineer_took_over', summary: 'Asked to run npm test; approved.' },
      5,
    );
    await serverSays(sockets[1], 'engineer_disconnected', { engineerId: ai.id }, 6);

    expect(view.container.querySelector('h1')?.textContent).toBe('Live session');
    expect(requestTools(view)).toEqual({
      forms: ['Command', 'Path', 'Link'],
      buttons: ['Request command', 'Request file', 'Send link', 'End session'],
      aside: true,
      chat: true,
    });
    expect(labelled(view, 'Guidance for the AI')).toBeNull();
    expect(view.container.querySelector('section[aria-label="AI hand-over summary"]')?.textContent).toContain(
      'An engineer took over from the AI',
    );
  });

  it('stops offering guidance once the AI has handed the task to the queue', async () => {
    const sockets = fakeWebSocket();
    fakeApi({});
    const view = render(<LiveSessionView task={task()} userId={me.id} />);
    await settle();
    await welcome(sockets[0], 'guide', 2);
    await serverSays(sockets[0], 'engineer_connected', { engineer: ai, kind: 'ai' }, 1);
    expect(labelled(view, 'Guidance for the AI')).not.toBeNull();
    await serverSays(sockets[0], 'handoff', { from: 'ai', reason: 'budget_exhausted', summary: 'Out of budget.' }, 2);

    expect(labelled(view, 'Guidance for the AI')).toBeNull();
    expect(buttonNames(view)).not.toContain('Take over');
    expect(requestTools(view)).toEqual(NO_TOOLS);
    expect(view.container.textContent).toContain('The AI handed this task over');
    expect(view.container.querySelector('section[aria-label="AI hand-over summary"]')?.textContent).toContain(
      'Out of budget.',
    );
  });
});

describe('LiveSessionView as the engineer of a handed-over task', () => {
  it('shows the AI’s summary first, then the whole session replayed from the start', async () => {
    const sockets = fakeWebSocket();
    fakeApi({});
    const handedOver = task({
      aiLed: false,
      engineer: me,
      handoff: { reason: 'ai_decided', summary: 'Tests fail in auth.spec: the cookie is not set.', at },
    });
    const view = render(<LiveSessionView task={handedOver} userId={me.id} />);
    await settle();
    // The task's own hand-over shows at once, before the socket replays anything.
    const card = () => view.container.querySelector('section[aria-label="AI hand-over summary"]');
    expect(card()?.textContent).toContain('Tests fail in auth.spec: the cookie is not set.');
    expect(sockets[0]?.sent[0]).toMatchObject({ type: 'hello', payload: { lastSeq: 0 } });

    await welcome(sockets[0], 'engineer', 7);
    const events: [string, object][] = [
      ['engineer_connected', { engineer: ai, kind: 'ai' }],
      ['engineer_message', { text: 'Let me run the tests.' }],
      ['request_command', { requestId: 'r1', command: 'npm test', reason: 'see the failure', expiresAt: at }],
      ['approve_command', { requestId: 'r1', approved: true }],
      ['handoff', { from: 'ai', reason: 'ai_decided', summary: 'Tests fail in auth.spec: the cookie is not set.' }],
      ['engineer_disconnected', { engineerId: ai.id }],
      ['engineer_connected', { engineer: me, kind: 'human' }],
    ];
    for (const [i, [type, payload]] of events.entries()) await serverSays(sockets[0], type, payload, i + 1);

    const conversation = view.container.querySelector('section[aria-label="Conversation"]');
    const summary = card();
    if (!conversation || !summary) throw new Error('missing summary or conversation');
    expect(summary.compareDocumentPosition(conversation) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(conversation.querySelector('li.msg-ai .msg-who')?.textContent).toBe('CodeVF AI');
    expect(conversation.textContent).toContain('npm test');
    expect(conversation.textContent).toContain('The AI is handing the session to a human engineer');
    expect(requestTools(view).aside).toBe(true);
  });
});

describe('LiveSessionView with a role it does not know', () => {
  it('lets the engineer read the session but not act in it', async () => {
    const sockets = fakeWebSocket();
    fakeApi({});
    const view = render(<LiveSessionView task={task({ aiLed: false, engineer: me })} userId={me.id} />);
    await settle();
    expect(requestTools(view).aside).toBe(true);
    await welcome(sockets[0], 'observer', 1);
    await serverSays(sockets[0], 'customer_message', { text: 'hello?' }, 1);
    expect(view.container.textContent).toContain('Read only');
    expect(view.container.textContent).toContain('(unknown)');
    expect(requestTools(view)).toEqual(NO_TOOLS);
    expect(labelled(view, 'Guidance for the AI')).toBeNull();
    expect(view.container.textContent).toContain('hello?');
  });
});
