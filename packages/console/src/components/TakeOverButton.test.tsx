// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/apiError';
import { clickButton } from '../testing/dom';
import { type Rendered, render } from '../testing/render';
import { TakeOverButton } from './TakeOverButton';

const buttons = (v: Rendered) => [...v.container.querySelectorAll('button')].map((b) => b.textContent);

describe('TakeOverButton', () => {
  it('takes over only after the engineer confirms', async () => {
    let calls = 0;
    const view = render(
      <TakeOverButton
        takeOver={async () => {
          calls += 1;
        }}
      />,
    );
    await clickButton(view, 'Take over');
    expect(view.container.textContent).toContain('The AI leaves');
    await clickButton(view, 'Cancel');
    expect(calls).toBe(0);
    await clickButton(view, 'Take over');
    await clickButton(view, 'Yes, take over');
    expect(calls).toBe(1);
  });

  it('shows why the server refused', async () => {
    const view = render(
      <TakeOverButton
        takeOver={async () => {
          throw new ApiError('E_CONFLICT', 'The AI already handed this task over.', 409);
        }}
      />,
    );
    await clickButton(view, 'Take over');
    await clickButton(view, 'Yes, take over');
    expect(view.container.querySelector('[role=alert]')?.textContent).toBe('The AI already handed this task over.');
    expect(buttons(view)).toEqual(['Take over']);
  });
});
