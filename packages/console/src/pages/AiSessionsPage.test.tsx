// @vitest-environment jsdom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { taskFixture } from '../../../protocol/test/support/taskFixture';
import type { AiTask } from '../api/api';
import { buttonNamed } from '../testing/dom';
import { fakeApi, problem } from '../testing/fakeApi';
import { type Rendered, render, settle } from '../testing/render';
import { AiSessions } from './AiSessionsPage';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function aiTask(id: string, over: Partial<AiTask> = {}): AiTask {
  const task = taskFixture({
    id,
    description: `Problem ${id}`,
    mode: 'hybrid',
    aiLed: true,
    status: 'active',
    customerName: 'Chris',
    engineer: { id: 'codevf-ai', name: 'CodeVF AI', title: 'llama3' },
    createdAt: minutesAgo(3),
    claimedAt: minutesAgo(3),
  });
  return { ...task, deniedRequests: 0, guides: [], ...over };
}

const button = (v: Rendered, name: string, within: Element = v.container) => buttonNamed(within, name);
const item = (v: Rendered, id: string) => {
  const li = v.container.querySelector(`li[data-task-id="${id}"]`);
  if (!li) throw new Error(`no task ${id}`);
  return li;
};
async function click(b: HTMLButtonElement) {
  await act(async () => b.click());
  await settle();
}

beforeEach(() => {
  window.history.replaceState(null, '', '/ai-sessions');
});

describe('AI sessions page', () => {
  it('lists each AI-led task with its customer, duration, denials and guides, marking the ones that struggle', async () => {
    fakeApi({
      'GET /v1/ai/tasks': {
        body: {
          tasks: [
            aiTask('t1'),
            aiTask('t2', {
              description: 'Deploy \u202Efails',
              customerName: 'Dana\u200b',
              deniedRequests: 3,
              guides: [{ id: 'e2', name: 'Ana' }],
              claimedAt: minutesAgo(20),
            }),
          ],
        },
      },
    });
    const view = render(<AiSessions userId="e1" />);
    await settle();
    const first = item(view, 't1');
    expect(first.querySelector('.queue-desc')?.textContent).toBe('Problem t1');
    expect(first.textContent).toContain('Chris');
    expect(first.querySelector('[data-testid="ai-duration"]')?.textContent).toBe('· running 3 min');
    expect(first.querySelector('[data-testid="ai-denied"]')?.textContent).toBe('· 0 requests denied or expired');
    expect(first.querySelector('[data-testid="ai-guides"]')?.textContent).toBe('· no guide yet');
    expect(first.querySelector('.pill-warn')).toBeNull();

    const second = item(view, 't2');
    expect(second.querySelector('.queue-desc')?.textContent).toBe('Deploy <U+202E>fails');
    expect(second.textContent).toContain('Dana<U+200B>');
    expect(second.querySelector('[data-testid="ai-denied"]')?.textContent).toBe('· 3 requests denied or expired');
    expect(second.querySelector('[data-testid="ai-guides"]')?.textContent).toBe('· guided by Ana');
    expect(second.querySelector('.pill-warn')?.textContent).toBe('may need help');

    // Each button is named for what it does and described by its task.
    const guide = button(view, 'Guide', second);
    expect(document.getElementById(guide.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'Deploy <U+202E>fails',
    );
    expect(button(view, 'Take over', second).getAttribute('aria-describedby')).toBe(
      guide.getAttribute('aria-describedby'),
    );
  });

  it('says so when no AI session runs', async () => {
    fakeApi({ 'GET /v1/ai/tasks': { body: { tasks: [] } } });
    const view = render(<AiSessions userId="e1" />);
    await settle();
    expect(view.container.querySelector('.empty-title')?.textContent).toBe('No AI sessions right now');
    expect(view.container.querySelector('ul')).toBeNull();
  });

  it('shows a failed load with a way to try again, and a refusal as no access', async () => {
    const api = fakeApi({ 'GET /v1/ai/tasks': problem(500, 'E_INTERNAL', 'boom') });
    const view = render(<AiSessions userId="e1" />);
    await settle();
    expect(view.container.querySelector('[role=alert]')?.textContent).toContain('Something went wrong');
    api.set('GET /v1/ai/tasks', { body: { tasks: [aiTask('t1')] } });
    await click(button(view, 'Try again'));
    expect(item(view, 't1')).toBeTruthy();

    fakeApi({ 'GET /v1/ai/tasks': problem(403, 'E_FORBIDDEN', 'Engineers only.') });
    const refused = render(<AiSessions userId="c1" />);
    await settle();
    expect(refused.container.querySelector('[role=alert]')?.textContent).toContain('No access');
    expect(refused.container.querySelector('[role=alert] button')).toBeNull();
  });

  it('Guide joins the task as a guide, then opens its live session', async () => {
    const api = fakeApi({
      'GET /v1/ai/tasks': { body: { tasks: [aiTask('t1')] } },
      'POST /v1/tasks/t1/guide': { body: {} },
    });
    const view = render(<AiSessions userId="e1" />);
    await settle();
    await click(button(view, 'Guide', item(view, 't1')));
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/v1/tasks/t1/guide']);
    expect(window.location.pathname).toBe('/session/t1');
  });

  it('Guide on a task one already guides opens it without joining again', async () => {
    const api = fakeApi({
      'GET /v1/ai/tasks': { body: { tasks: [aiTask('t1', { guides: [{ id: 'e1', name: 'Me' }] })] } },
    });
    const view = render(<AiSessions userId="e1" />);
    await settle();
    expect(item(view, 't1').querySelector('[data-testid="ai-guides"]')?.textContent).toBe('· guided by Me (you)');
    await click(button(view, 'Guide', item(view, 't1')));
    expect(api.calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect(window.location.pathname).toBe('/session/t1');
  });

  it('shows why the server refused a guide, and stays on the list', async () => {
    fakeApi({
      'GET /v1/ai/tasks': { body: { tasks: [aiTask('t1')] } },
      'POST /v1/tasks/t1/guide': problem(409, 'E_CONFLICT', 'The AI no longer leads this task.'),
    });
    const view = render(<AiSessions userId="e1" />);
    await settle();
    await click(button(view, 'Guide', item(view, 't1')));
    expect(view.container.textContent).toContain('The AI no longer leads this task.');
    expect(window.location.pathname).toBe('/ai-sessions');
    expect(button(view, 'Guide', item(view, 't1')).disabled).toBe(false);
  });

  it('Take over joins as a guide, takes the task over after the confirmation, then opens the session', async () => {
    const api = fakeApi({
      'GET /v1/ai/tasks': { body: { tasks: [aiTask('t1')] } },
      'POST /v1/tasks/t1/guide': { body: {} },
      'POST /v1/tasks/t1/takeover': { body: {} },
    });
    const view = render(<AiSessions userId="e1" />);
    await settle();
    await click(button(view, 'Take over', item(view, 't1')));
    expect(api.calls.filter((c) => c.method === 'POST')).toEqual([]);
    await click(button(view, 'Yes, take over', item(view, 't1')));
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/v1/tasks/t1/guide',
      '/v1/tasks/t1/takeover',
    ]);
    expect(window.location.pathname).toBe('/session/t1');
  });

  it('shows a refused take-over next to the task', async () => {
    fakeApi({
      'GET /v1/ai/tasks': { body: { tasks: [aiTask('t1', { guides: [{ id: 'e1', name: 'Me' }] })] } },
      'POST /v1/tasks/t1/takeover': problem(409, 'E_CONFLICT', 'Another engineer took it over first.'),
    });
    const view = render(<AiSessions userId="e1" />);
    await settle();
    await click(button(view, 'Take over', item(view, 't1')));
    await click(button(view, 'Yes, take over', item(view, 't1')));
    expect(item(view, 't1').querySelector('[role=alert]')?.textContent).toBe('Another engineer took it over first.');
    expect(window.location.pathname).toBe('/ai-sessions');
  });
});
