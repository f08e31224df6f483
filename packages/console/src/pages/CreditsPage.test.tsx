// @vitest-environment jsdom
import type { AiInfo, CreditsView } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { fakeApi, problem } from '../testing/fakeApi';
import { render, settle } from '../testing/render';
import { CreditsPage, ledgerWhat } from './CreditsPage';

const row = (id: string, over: Partial<CreditsView['ledger'][number]>): CreditsView['ledger'][number] => ({
  id,
  amount: -1,
  kind: 'charge',
  help: null,
  taskId: 't1',
  minuteIndex: 0,
  note: null,
  createdAt: `2024-05-01T12:0${id}:00.000Z`,
  ...over,
});
const ledger: CreditsView = {
  balance: 40,
  ledger: [
    row('1', { kind: 'grant', amount: 50, taskId: null, minuteIndex: null, note: 'welcome\u202E' }),
    row('2', { help: 'ai', amount: 0, note: 'free AI minute' }),
    row('3', { help: 'ai', amount: -1 }),
    row('4', { help: 'human', amount: -5 }),
    row('5', {}),
  ],
};
const aiInfo: AiInfo = {
  available: true,
  name: 'CodeVF AI',
  model: 'llama3',
  vendor: 'other',
  freeMinutesPerDay: 10,
  freeMinutesLeft: 9,
  aiCreditsPerMinute: 1,
  humanCreditsPerMinute: 5,
};

describe('ledgerWhat', () => {
  it('tells grants, AI minutes (free or not), human minutes and older rows apart', () => {
    expect(ledgerWhat({ kind: 'grant', help: null, amount: 5 })).toEqual({ label: 'Granted', free: false });
    expect(ledgerWhat({ kind: 'charge', help: 'ai', amount: 0 })).toEqual({ label: 'AI minute', free: true });
    expect(ledgerWhat({ kind: 'charge', help: 'ai', amount: -1 })).toEqual({ label: 'AI minute', free: false });
    expect(ledgerWhat({ kind: 'charge', help: 'human', amount: -5 })).toEqual({
      label: 'Engineer minute',
      free: false,
    });
    expect(ledgerWhat({ kind: 'charge', amount: -1 })).toEqual({ label: 'Session minute', free: false });
  });
});

describe('CreditsPage', () => {
  it('shows whose minute each charge was, the free AI minutes, and the AI’s terms', async () => {
    fakeApi({ 'GET /v1/credits': { body: ledger }, 'GET /v1/ai': { body: aiInfo } });
    const view = render(<CreditsPage />);
    await settle();
    const rows = [...view.container.querySelectorAll('tbody tr')].map((tr) => [
      tr.getAttribute('data-help'),
      tr.querySelector('td:nth-child(2)')?.textContent,
      tr.querySelector('td:nth-child(3)')?.textContent,
    ]);
    expect(rows).toEqual([
      [null, 'Session minute · task', '-1'],
      ['human', 'Engineer minute · task', '-5'],
      ['ai', 'AI minute · task', '-1'],
      ['ai', 'AI minute free · free AI minute · task', '0'],
      [null, 'Granted · welcome<U+202E>', '+50'],
    ]);
    expect(view.container.querySelector('[data-testid="ai-terms"]')?.textContent).toBe(
      '9 free AI minutes left today (of 10). After the free minutes, the AI costs 1 credit a minute; a human engineer 5 credits a minute.',
    );
  });

  it('leaves the AI’s terms out when the server offers no AI or cannot say', async () => {
    fakeApi({ 'GET /v1/credits': { body: ledger }, 'GET /v1/ai': { body: { ...aiInfo, available: false } } });
    const none = render(<CreditsPage />);
    await settle();
    expect(none.container.querySelector('[data-testid="balance"]')?.textContent).toBe('40');
    expect(none.container.querySelector('[data-testid="ai-terms"]')).toBeNull();

    fakeApi({ 'GET /v1/credits': { body: ledger }, 'GET /v1/ai': problem(404, 'E_NOT_FOUND', 'No route.') });
    const older = render(<CreditsPage />);
    await settle();
    expect(older.container.querySelector('[data-testid="ai-terms"]')).toBeNull();
    expect(older.container.querySelectorAll('tbody tr')).toHaveLength(5);
  });
});
