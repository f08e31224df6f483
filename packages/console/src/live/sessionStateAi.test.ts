import { MAX_CHAT_CHARS, MAX_REASON_CHARS } from '@codevf/protocol/shared';
import { describe, expect, it } from 'vitest';
import { applyEvents, type EventLike, initialSessionState, readEvent, readWelcomeRole } from './sessionState';

// The AI participant's events as they reach the console unchecked: good ones folded, bad ones
// read into something safe to show or dropped.
const at = '2024-05-01T12:00:00.000Z';
const fold = (events: Omit<EventLike, 'seq' | 'timestamp'>[]) =>
  applyEvents(
    initialSessionState(),
    events.map((e, i) => ({ ...e, seq: i + 1, timestamp: at })),
  );
const ai = { id: 'codevf-ai', name: 'CodeVF AI', title: 'llama3' };
const maria = { id: 'e1', name: 'Maria', title: null };

describe('session state: the AI hands over', () => {
  it('keeps the hand-over with its reason, summary and detail, and notes it in the timeline', () => {
    const s = fold([
      { type: 'engineer_connected', payload: { engineer: ai, kind: 'ai' } },
      {
        type: 'handoff',
        payload: { from: 'ai', reason: 'model_failed', summary: 'Tried npm test; 3 failures.', detail: 'timeout' },
      },
      { type: 'engineer_disconnected', payload: { engineerId: 'codevf-ai' } },
    ]);
    expect(s.handoff).toEqual({
      from: 'ai',
      reason: 'model_failed',
      summary: 'Tried npm test; 3 failures.',
      detail: 'timeout',
      at,
      seq: 2,
    });
    expect(s.items[1]).toMatchObject({ kind: 'notice', event: 'handoff', tone: 'info' });
  });

  it('reads a reason it does not know as the AI’s own decision, and a missing summary as empty', () => {
    const s = fold([{ type: 'handoff', payload: { from: 'ai', reason: 'bored', summary: 42, detail: { x: 1 } } }]);
    expect(s.handoff).toMatchObject({ reason: 'ai_decided', summary: '' });
    expect(s.handoff).not.toHaveProperty('detail');
  });

  it('cuts a summary and a detail longer than the protocol allows', () => {
    const s = fold([
      {
        type: 'handoff',
        payload: {
          from: 'ai',
          reason: 'ai_decided',
          summary: 'x'.repeat(MAX_CHAT_CHARS + 50),
          detail: 'y'.repeat(MAX_REASON_CHARS + 50),
        },
      },
    ]);
    expect(s.handoff?.summary).toHaveLength(MAX_CHAT_CHARS);
    expect(s.handoff?.detail).toHaveLength(MAX_REASON_CHARS);
  });

  it('drops a hand-over that is not from the AI, or has no payload, without losing its place', () => {
    const s = fold([
      { type: 'handoff', payload: { from: 'engineer', reason: 'ai_decided', summary: 'fake' } },
      { type: 'handoff', payload: null },
      { type: 'customer_message', payload: { text: 'still here' } },
    ]);
    expect(s.handoff).toBeNull();
    expect(s.lastSeq).toBe(3);
    expect(s.items).toEqual([expect.objectContaining({ kind: 'message', text: 'still here' })]);
    expect(readEvent({ seq: 1, type: 'handoff', timestamp: at, payload: 'handoff' })).toBeNull();
  });
});

describe('session state: who speaks', () => {
  it('marks the AI’s lines as the AI’s and the human’s after the hand-over as human', () => {
    const s = fold([
      { type: 'engineer_connected', payload: { engineer: ai, kind: 'ai' } },
      { type: 'engineer_message', payload: { text: 'Let me run the tests.' } },
      { type: 'handoff', payload: { from: 'ai', reason: 'ai_decided', summary: 'over to you' } },
      { type: 'engineer_disconnected', payload: { engineerId: 'codevf-ai' } },
      { type: 'engineer_connected', payload: { engineer: maria, kind: 'human' } },
      { type: 'engineer_message', payload: { text: 'Hi, Maria here.' } },
    ]);
    const lines = s.items.filter((i) => i.kind === 'message');
    expect(lines).toMatchObject([
      { from: 'engineer', text: 'Let me run the tests.', speaker: { name: 'CodeVF AI', kind: 'ai' } },
      { from: 'engineer', text: 'Hi, Maria here.', speaker: { name: 'Maria', kind: 'human' } },
    ]);
    expect(s.engineerKind).toBe('human');
  });

  it('reads a guide’s line with the guide’s name', () => {
    const s = fold([
      { type: 'guide_message', payload: { text: 'Check the lockfile.', guide: { id: 'e2', name: 'Ana' } } },
    ]);
    expect(s.items).toEqual([
      {
        kind: 'message',
        seq: 1,
        at,
        from: 'guide',
        text: 'Check the lockfile.',
        speaker: { name: 'Ana', kind: 'human' },
      },
    ]);
  });

  it('reads a malformed guide line as a guide’s line from an unnamed engineer', () => {
    const s = fold([
      { type: 'guide_message', payload: { text: ['no'], guide: 'Ana' } },
      { type: 'guide_message', payload: { text: 'hi', guide: { id: 7, name: '' } } },
    ]);
    expect(s.items).toMatchObject([
      { from: 'guide', text: '', speaker: { name: 'An engineer', kind: 'human' } },
      { from: 'guide', text: 'hi', speaker: { name: 'An engineer', kind: 'human' } },
    ]);
  });
});

describe('session state: AI billing', () => {
  it('keeps whose minute it was and the free AI minutes left, and drops values that cannot be', () => {
    const good = fold([
      {
        type: 'billing_update',
        payload: { creditsUsed: 0, balance: 50, ratePerMinute: 0, minutes: 1, help: 'ai', freeMinutesLeft: 9 },
      },
    ]);
    expect(good.billing).toEqual({
      creditsUsed: 0,
      balance: 50,
      ratePerMinute: 0,
      minutes: 1,
      help: 'ai',
      freeMinutesLeft: 9,
    });
    const bad = fold([
      {
        type: 'billing_update',
        payload: { creditsUsed: 1, balance: 49, ratePerMinute: 1, minutes: 2, help: 'robot', freeMinutesLeft: -3 },
      },
    ]);
    expect(bad.billing).toEqual({ creditsUsed: 1, balance: 49, ratePerMinute: 1, minutes: 2 });
  });
});

describe('readWelcomeRole', () => {
  it('reads the three roles and calls anything else unknown', () => {
    expect(readWelcomeRole({ role: 'guide' })).toBe('guide');
    expect(readWelcomeRole({ role: 'engineer' })).toBe('engineer');
    expect(readWelcomeRole({ role: 'customer' })).toBe('customer');
    expect(readWelcomeRole({ role: 'admin' })).toBe('unknown');
    expect(readWelcomeRole({ role: ['guide'] })).toBe('unknown');
    expect(readWelcomeRole({})).toBe('unknown');
    expect(readWelcomeRole(null)).toBe('unknown');
  });
});
