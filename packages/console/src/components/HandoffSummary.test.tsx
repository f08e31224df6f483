// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { render } from '../testing/render';
import { previewOf } from './ExpandableText';
import { HandoffBrief, HandoffSummary } from './HandoffSummary';

const at = '2024-05-01T12:00:00.000Z';
const region = (c: HTMLElement) => c.querySelector('section[aria-label="AI hand-over summary"]');

describe('HandoffSummary', () => {
  it('is a region labelled as the AI hand-over summary with the reason, what went wrong and the summary', () => {
    const view = render(
      <HandoffSummary
        handoff={{
          reason: 'model_failed',
          summary: 'Ran npm test: 3 failures in auth.\nToken [REDACTED:api-key] looked expired.',
          at,
          detail: 'the model timed out 3 times',
        }}
      />,
    );
    const r = region(view.container);
    expect(r?.querySelector('h2')?.textContent).toBe('AI Handed over by the AI');
    expect(r?.textContent).toContain('The AI could not continue (the model failed)');
    expect(r?.textContent).toContain('What went wrong: the model timed out 3 times');
    expect(r?.querySelector('[data-testid="handoff-summary"]')?.textContent).toBe(
      'Ran npm test: 3 failures in auth.\nToken [REDACTED:api-key] looked expired.',
    );
    expect(r?.querySelector('mark.redacted')?.textContent).toBe('[REDACTED:api-key]');
  });

  it('shows hidden characters in the summary and the detail as marked placeholders', () => {
    const view = render(
      <HandoffSummary handoff={{ reason: 'ai_decided', summary: 'approve \u202Eall\u200b', at, detail: 'bell\x07' }} />,
    );
    const text = region(view.container)?.textContent ?? '';
    expect(text).toContain('approve <U+202E>all<U+200B>');
    expect(text).toContain('bell\\a');
    expect(/[\p{Cc}\p{Cf}]/u.test(text.replaceAll('\n', ''))).toBe(false);
  });

  it('says so when the AI left no summary, and words a reason it does not know plainly', () => {
    const view = render(<HandoffSummary handoff={{ reason: 'gone_fishing' as 'ai_decided', summary: '  ', at }} />);
    const text = region(view.container)?.textContent ?? '';
    expect(text).toContain('The AI handed the task over');
    expect(text).toContain('The AI left no summary; the whole session is below.');
  });
});

describe('HandoffBrief (a queue entry)', () => {
  it('shows the badge, the reason and a long summary cut short until expanded', () => {
    const summary = `${'The tests fail because the session cookie is not set. '.repeat(6)}END`;
    const view = render(<HandoffBrief handoff={{ reason: 'customer_asked', summary, at }} />);
    const text = () => view.container.querySelector('.expandable-text')?.textContent ?? '';
    expect(view.container.querySelector('.pill-ai')?.textContent).toBe('Handed over by the AI');
    expect(view.container.textContent).toContain('The customer asked for a human');
    expect(text().endsWith('…')).toBe(true);
    expect(text()).not.toContain('END');

    const button = view.container.querySelector('button');
    expect(button?.textContent).toBe('Show the whole summary');
    expect(button?.getAttribute('aria-expanded')).toBe('false');
    expect(button?.getAttribute('aria-controls')).toBe(view.container.querySelector('.expandable-text')?.id);
    act(() => button?.click());
    expect(text()).toBe(summary);
    expect(button?.getAttribute('aria-expanded')).toBe('true');
    expect(button?.textContent).toBe('Show less');
  });

  it('shows a short summary whole, without a button, and no summary block for an empty one', () => {
    const view = render(<HandoffBrief handoff={{ reason: 'ai_decided', summary: 'Short one.', at }} />);
    expect(view.container.querySelector('.expandable-text')?.textContent).toBe('Short one.');
    expect(view.container.querySelector('button')).toBeNull();
    view.rerender(<HandoffBrief handoff={{ reason: 'ai_decided', summary: '', at }} />);
    expect(view.container.querySelector('.expandable')).toBeNull();
  });
});

describe('previewOf', () => {
  it('cuts at a word near the limit, or mid-word when none is near', () => {
    expect(previewOf('short', 10)).toBe('short');
    expect(previewOf('one two three four', 15)).toBe('one two three…');
    expect(previewOf('one two three four', 12)).toBe('one two thre…');
    expect(previewOf('abcdefghijklmnop', 8)).toBe('abcdefgh…');
  });
});
