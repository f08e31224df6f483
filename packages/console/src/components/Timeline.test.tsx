// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { applyEvents, type EventLike, initialSessionState } from '../live/sessionState';
import { render } from '../testing/render';
import { Timeline } from './Timeline';

const at = '2024-05-01T12:00:00.000Z';
const state = (events: Omit<EventLike, 'seq' | 'timestamp'>[]) =>
  applyEvents(
    initialSessionState(),
    events.map((e, i) => ({ ...e, seq: i + 1, timestamp: at })),
  );

describe('Timeline', () => {
  it('names the speakers from the viewer’s side', () => {
    const s = state([
      { type: 'engineer_connected', payload: { engineer: { id: 'e', name: 'Maria', title: null }, kind: 'human' } },
      { type: 'engineer_message', payload: { text: 'hi' } },
      { type: 'customer_message', payload: { text: 'hello' } },
    ]);
    const view = render(<Timeline state={s} viewer="engineer" now={0} />);
    const who = () => [...view.container.querySelectorAll('.msg-who')].map((e) => e.textContent);
    expect(who()).toEqual(['You', 'Customer']);
    view.rerender(<Timeline state={s} viewer="customer" now={0} />);
    expect(who()).toEqual(['Maria', 'You']);
  });

  it('tells the AI’s lines, the humans’ lines and guidance to the AI apart', () => {
    const s = state([
      {
        type: 'engineer_connected',
        payload: { engineer: { id: 'codevf-ai', name: 'CodeVF AI', title: 'llama3' }, kind: 'ai' },
      },
      { type: 'engineer_message', payload: { text: 'May I run npm test?' } },
      { type: 'guide_message', payload: { text: 'Look at the lockfile first.', guide: { id: 'g', name: 'Ana' } } },
      { type: 'handoff', payload: { from: 'ai', reason: 'ai_decided', summary: 'over to a human' } },
      { type: 'engineer_connected', payload: { engineer: { id: 'e', name: 'Maria', title: null }, kind: 'human' } },
      { type: 'engineer_message', payload: { text: 'Maria here.' } },
    ]);
    const view = render(<Timeline state={s} viewer="engineer" now={0} />);
    const lines = () =>
      [...view.container.querySelectorAll('li.msg')].map((li) => ({
        who: li.querySelector('.msg-who')?.textContent,
        tag: li.querySelector('.speaker-tag')?.textContent ?? null,
        speaker: li.getAttribute('data-speaker'),
        own: li.classList.contains('msg-own'),
        ai: li.classList.contains('msg-ai'),
      }));
    expect(lines()).toEqual([
      { who: 'CodeVF AI', tag: 'AI', speaker: 'ai', own: false, ai: true },
      { who: 'Ana', tag: 'guiding the AI', speaker: 'human', own: false, ai: false },
      { who: 'You', tag: null, speaker: 'human', own: true, ai: false },
    ]);
    expect(view.container.textContent).toContain('The AI is handing the session to a human engineer');

    // The customer reads every helper by name; a guide owns no engineer line.
    view.rerender(<Timeline state={s} viewer="customer" now={0} />);
    expect(lines().map((l) => l.who)).toEqual(['CodeVF AI', 'Ana', 'Maria']);
    view.rerender(<Timeline state={s} viewer="guide" now={0} />);
    expect(lines().map((l) => [l.who, l.own])).toEqual([
      ['CodeVF AI', false],
      ['Ana', false],
      ['Maria', false],
    ]);
  });

  it('shows hidden characters in an AI’s or a guide’s name as marked placeholders', () => {
    const s = state([
      {
        type: 'engineer_connected',
        payload: { engineer: { id: 'codevf-ai', name: 'AI\u202Enimda', title: null }, kind: 'ai' },
      },
      { type: 'engineer_message', payload: { text: 'hi' } },
      { type: 'guide_message', payload: { text: 'psst\u200b', guide: { id: 'g', name: 'Ana\x1b[2J' } } },
    ]);
    const view = render(<Timeline state={s} viewer="customer" now={0} />);
    expect([...view.container.querySelectorAll('.msg-who')].map((e) => e.textContent)).toEqual([
      'AI<U+202E>nimda',
      'Ana␛[2J',
    ]);
    expect(/[\p{Cc}\p{Cf}]/u.test(view.container.textContent ?? '')).toBe(false);
  });

  it('links only http(s) screenshare URLs, opening them without an opener', () => {
    const s = state([
      { type: 'screenshare_request', payload: { url: 'https://meet.example/abc' } },
      { type: 'screenshare_request', payload: { url: 'javascript:alert(1)' } },
    ]);
    const view = render(<Timeline state={s} viewer="engineer" now={0} />);
    const links = view.container.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]?.getAttribute('href')).toBe('https://meet.example/abc');
    expect(links[0]?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(view.container.textContent).toContain('javascript:alert(1)');
  });

  it('marks redactions in chat and says how many', () => {
    const s = state([
      { type: 'customer_message', payload: { text: 'key [REDACTED:k] and [REDACTED:j]', redactions: 2 } },
    ]);
    const view = render(<Timeline state={s} viewer="engineer" now={0} />);
    expect([...view.container.querySelectorAll('mark.redacted')].map((m) => m.textContent)).toEqual([
      '[REDACTED:k]',
      '[REDACTED:j]',
    ]);
    expect(view.container.querySelector('.msg-note')?.textContent).toBe("2 values redacted by the customer's side");
  });

  it('shows bidi, zero-width and control characters in chat and requests as marked placeholders', () => {
    const s = state([
      { type: 'customer_message', payload: { text: 'run \u202Etxt.exe\u200b and \x1b[8mhidden' } },
      {
        type: 'request_command',
        payload: { requestId: 'r', command: 'npm test\r   rm -rf ~', reason: 'why\u2066', expiresAt: at },
      },
    ]);
    const view = render(<Timeline state={s} viewer="engineer" now={0} />);
    const text = view.container.textContent ?? '';
    expect(text).toContain('run <U+202E>txt.exe<U+200B> and ␛[8mhidden');
    expect(text).toContain('npm test\\r   rm -rf ~');
    expect(text).toContain('why<U+2066>');
    expect(/[\p{Cc}\p{Cf}]/u.test(text)).toBe(false);
    expect([...view.container.querySelectorAll('.untrusted-mark')].map((m) => m.textContent)).toEqual([
      '<U+202E>',
      '<U+200B>',
      '␛',
      '\\r',
      '<U+2066>',
    ]);
  });

  it('keeps a link with a user name before its host as text', () => {
    const s = state([{ type: 'screenshare_request', payload: { url: 'https://meet.google.com@evil.example/x' } }]);
    const view = render(<Timeline state={s} viewer="customer" now={0} />);
    expect(view.container.querySelectorAll('a')).toHaveLength(0);
    expect(view.container.textContent).toContain('https://meet.google.com@evil.example/x');
  });

  it('says so when nothing happened yet', () => {
    const view = render(<Timeline state={initialSessionState()} viewer="engineer" now={0} />);
    expect(view.container.textContent).toBe('Nothing has happened in this session yet.');
  });
});
