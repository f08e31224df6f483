// @vitest-environment jsdom
import type { Task } from '@codevf/protocol';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../testing/fakeApi';
import { render } from '../testing/render';
import { QueuePage } from './QueuePage';

const at = new Date().toISOString();
function queued(id: string, over: Partial<Task> = {}): Task {
  return {
    id,
    description: `Problem ${id}`,
    mode: 'human',
    status: 'queued',
    customerId: 'c1',
    customerName: 'Chris',
    projectId: null,
    engineer: null,
    createdAt: at,
    claimedAt: null,
    endedAt: null,
    endedBy: null,
    endReason: null,
    maxCredits: null,
    creditsUsed: 0,
    rating: null,
    ...over,
  };
}

describe('QueuePage', () => {
  it('marks a task the AI handed over, with its reason and its summary cut short until expanded', async () => {
    const summary = `Ran npm test: auth.spec fails because the cookie is not set. ${'More detail. '.repeat(20)}The end.`;
    fakeApi({
      'GET /v1/queue': {
        body: {
          tasks: [
            queued('t1'),
            queued('t2', {
              mode: 'hybrid',
              handoff: { reason: 'customer_asked', summary: `${summary}\u202E`, at },
            }),
          ],
        },
      },
      'GET /v1/tasks': { body: { tasks: [] } },
    });
    const view = render(<QueuePage />);
    for (let i = 0; i < 5; i++) await act(async () => {});

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
});

describe('QueuePage: agent-driven tasks', () => {
  it('marks a task driven by a coding agent, and only that one', async () => {
    fakeApi({
      'GET /v1/queue': { body: { tasks: [queued('t1', { driver: 'terminal' }), queued('t2', { driver: 'agent' })] } },
      'GET /v1/tasks': { body: { tasks: [] } },
    });
    const view = render(<QueuePage />);
    for (let i = 0; i < 5; i++) await act(async () => {});
    const pill = (id: string) => view.container.querySelector(`li[data-task-id="${id}"] [data-testid=driver-agent]`);
    expect(pill('t1')).toBeNull();
    expect(pill('t2')?.textContent).toBe('agent-driven');
    expect(pill('t2')?.getAttribute('title')).toMatch(/permission prompts/);
  });
});
