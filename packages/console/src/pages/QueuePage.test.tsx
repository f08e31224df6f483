// @vitest-environment jsdom
import type { Task } from '@codevf/protocol';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { taskFixture } from '../../../protocol/test/support/taskFixture';
import { EngineerWorkspace } from '../live/workspace';
import { fakeApi, problem, type Route } from '../testing/fakeApi';
import { fakeEventSource } from '../testing/fakeEventSource';
import { render, settle } from '../testing/render';
import { QueuePage } from './QueuePage';

const at = new Date().toISOString();
const queued = (id: string, over: Partial<Task> = {}): Task =>
  taskFixture({ id, description: `Problem ${id}`, customerName: 'Chris', createdAt: at, ...over });

/** The queue page in the engineer's workspace, its REST calls answered from `routes`. */
async function openQueue(routes: Record<string, Route> = { 'GET /v1/tasks': { body: { tasks: [] } } }) {
  fakeApi(routes);
  const streams = fakeEventSource();
  const view = render(
    <EngineerWorkspace>
      <QueuePage />
    </EngineerWorkspace>,
  );
  await settle();
  return { view, streams };
}

describe('QueuePage', () => {
  it('marks a task the AI handed over, with its reason and its summary cut short until expanded', async () => {
    const summary = `Ran npm test: auth.spec fails because the cookie is not set. ${'More detail. '.repeat(20)}The end.`;
    const { view, streams } = await openQueue();
    await act(async () =>
      streams[0]?.emit('queue', {
        tasks: [
          queued('t1'),
          queued('t2', { mode: 'hybrid', handoff: { reason: 'customer_asked', summary: `${summary}\u202E`, at } }),
        ],
      }),
    );

    const plain = view.container.querySelector('li[data-task-id="t1"]');
    const handed = view.container.querySelector('li[data-task-id="t2"]');
    expect(plain?.querySelector('.handoff-brief')).toBeNull();
    expect(handed?.querySelector('.pill-ai')?.textContent).toBe('Handed over by the AI');
    expect(handed?.textContent).toContain('The customer asked for a human');
    const text = () => handed?.querySelector('.expandable-text')?.textContent ?? '';
    expect(text()).toMatch(/^Ran npm test: auth\.spec fails because the cookie is not set\..*…$/);
    const more = [...(handed?.querySelectorAll('button') ?? [])].find(
      (b) => b.textContent === 'Show the whole summary',
    );
    await act(async () => more?.click());
    expect(text()).toBe(`${summary}<U+202E>`);
    // The claim button stays the one action of the entry.
    expect(handed?.querySelector('button[aria-label^="Claim task 2"]')).not.toBeNull();
  });

  it('follows the pushed queue: new tasks marked, the title counts them, a task gone is announced', async () => {
    const { view, streams } = await openQueue();
    expect(streams).toHaveLength(1);
    expect(streams[0]?.url).toBe('/v1/queue/stream');
    expect(view.container.textContent).toContain('Loading the queue');
    await act(async () => streams[0]?.emit('queue', { tasks: [queued('t1')] }));
    expect(view.container.querySelector('li[data-task-id="t1"] .pill-new')).toBeNull();
    expect(document.title).toMatch(/^\(1 waiting\) Queue · CodeVF$/);

    await act(async () => streams[0]?.emit('queue', { tasks: [queued('t1'), queued('t2')] }));
    expect(view.container.querySelector('li[data-task-id="t2"] .pill-new')?.textContent).toBe('new');
    expect(document.title).toMatch(/^\(2 waiting\) Queue/);

    await act(async () => streams[0]?.emit('queue', { tasks: [queued('t2')] }));
    expect(view.container.querySelector('li[data-task-id="t1"]')).toBeNull();
    expect(view.container.textContent).toContain('“Problem t1” is no longer waiting');
    // Junk from the stream changes nothing.
    await act(async () => streams[0]?.emit('queue', { nope: true }));
    expect(view.container.querySelector('li[data-task-id="t2"]')).not.toBeNull();
  });

  it('says why when the server refuses the stream (asked over REST)', async () => {
    const { view, streams } = await openQueue({
      'GET /v1/tasks': { body: { tasks: [] } },
      'GET /v1/queue': problem(403, 'E_FORBIDDEN', 'This needs the engineer role; you are signed in as customer.'),
    });
    await act(async () => streams[0]?.fail());
    await settle();
    expect(view.container.textContent).toContain('No access');
    expect(view.container.textContent).toContain('signed in as customer');
  });
});

describe('QueuePage: agent-driven tasks', () => {
  it('marks a task driven by a coding agent, and only that one', async () => {
    const { view, streams } = await openQueue();
    await act(async () =>
      streams[0]?.emit('queue', { tasks: [queued('t1', { driver: 'terminal' }), queued('t2', { driver: 'agent' })] }),
    );
    const pill = (id: string) => view.container.querySelector(`li[data-task-id="${id}"] [data-testid=driver-agent]`);
    expect(pill('t1')).toBeNull();
    expect(pill('t2')?.textContent).toBe('agent-driven');
    expect(pill('t2')?.getAttribute('title')).toMatch(/permission prompts/);
  });
});
