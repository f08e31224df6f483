// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { clickButton, typeInto } from '../../testing/dom';
import { recordingSend } from '../../testing/recordingSend';
import { render } from '../../testing/render';
import { EndSessionButton } from './EndSessionButton';

describe('EndSessionButton', () => {
  it('ends the session only after the engineer confirms', async () => {
    const { sent, send } = recordingSend();
    const view = render(<EndSessionButton send={send} />);
    await clickButton(view, 'End session');
    await clickButton(view, 'Cancel');
    expect(sent).toEqual([]);

    await clickButton(view, 'End session');
    await clickButton(view, 'Yes, end it');
    expect(sent).toEqual([{ type: 'end_session', payload: { reason: 'ended by the engineer' } }]);
  });

  it('shows why the server refused to end it', async () => {
    const { send } = recordingSend('The session already ended.');
    const view = render(<EndSessionButton send={send} />);
    await clickButton(view, 'End session');
    await clickButton(view, 'Yes, end it');
    expect(view.container.querySelector('.field-error')?.textContent).toBe('The session already ended.');
    expect([...view.container.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['End session']);
  });

  it('sends the resolution note, trimmed, when the engineer wrote one', async () => {
    const { sent, send } = recordingSend();
    const view = render(<EndSessionButton send={send} />);
    await clickButton(view, 'End session');
    const area = view.container.querySelector<HTMLTextAreaElement>('#end-resolution');
    if (!area) throw new Error('no resolution field');
    expect(area.maxLength).toBe(2000);
    typeInto(area, '  Pinned lodash.\n ');
    await clickButton(view, 'Yes, end it');
    expect(sent).toEqual([
      { type: 'end_session', payload: { reason: 'ended by the engineer', resolution: 'Pinned lodash.' } },
    ]);
  });
});
