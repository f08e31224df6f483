// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { type Rendered, render } from '../../testing/render';
import { EndSessionButton } from './EndSessionButton';
import type { LiveSend } from './liveSend';

async function click(v: Rendered, name: string) {
  const button = [...v.container.querySelectorAll('button')].find((b) => b.textContent === name);
  if (!button) throw new Error(`no button ${name}`);
  await act(async () => {
    button.click();
  });
}

describe('EndSessionButton', () => {
  it('ends the session only after the engineer confirms', async () => {
    const sent: { type: string; payload: unknown }[] = [];
    const send = (async (type: string, payload: unknown) => {
      sent.push({ type, payload });
      return { seq: 1 };
    }) as LiveSend;
    const view = render(<EndSessionButton send={send} />);
    await click(view, 'End session');
    await click(view, 'Cancel');
    expect(sent).toEqual([]);

    await click(view, 'End session');
    await click(view, 'Yes, end it');
    expect(sent).toEqual([{ type: 'end_session', payload: { reason: 'ended by the engineer' } }]);
  });

  it('shows why the server refused to end it', async () => {
    const send = (async () => {
      throw new Error('The session already ended.');
    }) as LiveSend;
    const view = render(<EndSessionButton send={send} />);
    await click(view, 'End session');
    await click(view, 'Yes, end it');
    expect(view.container.querySelector('.field-error')?.textContent).toBe('The session already ended.');
    expect([...view.container.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['End session']);
  });

  it('sends the resolution note, trimmed, when the engineer wrote one', async () => {
    const sent: { type: string; payload: unknown }[] = [];
    const send = (async (type: string, payload: unknown) => {
      sent.push({ type, payload });
      return { seq: 1 };
    }) as LiveSend;
    const view = render(<EndSessionButton send={send} />);
    await click(view, 'End session');
    const area = view.container.querySelector<HTMLTextAreaElement>('#end-resolution');
    if (!area) throw new Error('no resolution field');
    expect(area.maxLength).toBe(2000);
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set?.call(area, '  Pinned lodash.\n ');
    act(() => {
      area.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await click(view, 'Yes, end it');
    expect(sent).toEqual([
      { type: 'end_session', payload: { reason: 'ended by the engineer', resolution: 'Pinned lodash.' } },
    ]);
  });
});
