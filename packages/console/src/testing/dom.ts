import { act } from 'react';
import type { Rendered } from './render';

/** The button whose text is `name` within `scope`; the test fails when there is none. */
export function buttonNamed(scope: ParentNode, name: string): HTMLButtonElement {
  const button = [...scope.querySelectorAll('button')].find((b) => b.textContent === name);
  if (!button) throw new Error(`no button ${name}`);
  return button;
}

/** Clicks the button named `name` in the view, inside act() so React handles the click. */
export async function clickButton(v: Rendered, name: string): Promise<void> {
  const button = buttonNamed(v.container, name);
  await act(async () => {
    button.click();
  });
}

/** Types into a field as a user does: React tracks the value through the prototype's setter, so set it there, then fire the input event. */
export function typeInto(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value')?.set?.call(el, value);
  act(() => {
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
