// @vitest-environment jsdom
import type { EventsResponse, Task } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { applyEvents, initialSessionState } from '../live/sessionState';
import { render } from '../testing/render';
import { Transcript, transcriptViewer } from './TranscriptPage';

const at = '2024-05-01T12:00:00.000Z';
const ai = { id: 'codevf-ai', name: 'CodeVF AI', title: 'llama3' };
const maria = { id: 'e1', name: 'Maria', title: null };
const task: Task = {
  id: 't1',
  description: 'Login returns 500',
  mode: 'hybrid',
  aiLed: false,
  status: 'ended',
  customerId: 'c1',
  projectId: null,
  engineer: maria,
  handoff: { reason: 'model_failed', summary: 'Tests fail in auth.', at },
  createdAt: at,
  claimedAt: at,
  endedAt: at,
  endedBy: 'customer',
  endReason: null,
  maxCredits: null,
  creditsUsed: 5,
  rating: null,
};
const stored: [string, object][] = [
  ['engineer_connected', { engineer: ai, kind: 'ai' }],
  ['engineer_message', { text: 'Running the tests.' }],
  ['guide_message', { text: 'Try the cookie.', guide: { id: 'e2', name: 'Ana' } }],
  ['handoff', { from: 'ai', reason: 'model_failed', summary: 'Tests fail in auth.', detail: 'timeouts' }],
  ['engineer_disconnected', { engineerId: ai.id }],
  ['engineer_connected', { engineer: maria, kind: 'human' }],
  ['engineer_message', { text: 'Maria here.' }],
];
const events: EventsResponse = {
  events: stored.map(([type, payload], i) => ({
    seq: i + 1,
    type: type as EventsResponse['events'][number]['type'],
    timestamp: at,
    payload: payload as Record<string, unknown>,
    senderId: null,
    hash: `h${i + 1}`,
  })),
  chain: { verified: true, brokenAtSeq: null, headHash: 'h7' },
  nextAfter: 7,
  hasMore: false,
};

describe('Transcript of a task the AI handed over', () => {
  it('shows the hand-over summary, the hand-over notice and who wrote each line', () => {
    const view = render(<Transcript task={task} events={events} viewer="engineer" />);
    const card = view.container.querySelector('section[aria-label="AI hand-over summary"]');
    expect(card?.textContent).toContain('Tests fail in auth.');
    expect(card?.textContent).toContain('What went wrong: timeouts');
    expect(view.container.textContent).toContain('The AI could not continue: a human engineer is being brought in');
    expect(
      [...view.container.querySelectorAll('li.msg')].map((li) => [
        li.querySelector('.msg-who')?.textContent,
        li.querySelector('.speaker-tag')?.textContent ?? null,
      ]),
    ).toEqual([
      ['CodeVF AI', 'AI'],
      ['Ana', 'guiding the AI'],
      ['You', null],
    ]);
  });
});

describe('transcriptViewer', () => {
  it('reads the task’s own engineer as the engineer and any other engineer as a guide', () => {
    expect(transcriptViewer({ id: 'e1', role: 'engineer' }, task)).toBe('engineer');
    expect(transcriptViewer({ id: 'e2', role: 'engineer' }, task)).toBe('guide');
    expect(transcriptViewer({ id: 'c1', role: 'customer' }, task)).toBe('customer');
    expect(transcriptViewer({ id: 'a1', role: 'admin' }, task)).toBe('admin');
  });
});

describe('Transcript of a task still going', () => {
  const active: Task = { ...task, status: 'active', endedAt: null, endedBy: null };
  const more = (text: string): EventsResponse['events'][number] => ({
    seq: 8,
    type: 'customer_message',
    timestamp: at,
    payload: { text },
    senderId: 'c1',
    hash: 'h8',
  });

  it('shows the live view once it has caught up with the stored events, and the stored ones until then', () => {
    const behind = applyEvents(initialSessionState(), events.events.slice(0, 2));
    const view = render(<Transcript task={active} events={events} viewer="customer" live={behind} />);
    expect(view.container.textContent).toContain('Maria here.');
    expect(view.container.textContent).toContain('This session is still going');

    const ahead = applyEvents(initialSessionState(), [...events.events, more('Arrived live')]);
    view.rerender(<Transcript task={active} events={events} viewer="customer" live={ahead} />);
    expect(view.container.querySelector('li.msg-own')?.textContent).toContain('Arrived live');
    expect(view.container.textContent).toContain('Open live view');
  });
});
