import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach } from 'vitest';

// Tells React that updates are wrapped in act(), as a test renderer would.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Rendered {
  container: HTMLElement;
  rerender(node: ReactNode): void;
  unmount(): void;
}

const mounted = new Set<Rendered>();
// Every test starts from an empty document, without each test file keeping its own bookkeeping.
afterEach(() => {
  for (const view of mounted) view.unmount();
});

/** Renders into a detached-from-nothing div in jsdom; tests read the real DOM React produced. Unmounted after each test. */
export function render(node: ReactNode): Rendered {
  const container = document.createElement('div');
  document.body.appendChild(container);
  let root: Root | null = null;
  act(() => {
    root = createRoot(container);
    root.render(node);
  });
  const view: Rendered = {
    container,
    rerender(next) {
      act(() => root?.render(next));
    },
    unmount() {
      mounted.delete(view);
      act(() => root?.unmount());
      container.remove();
    },
  };
  mounted.add(view);
  return view;
}

/** Every element with an inline style attribute: the console's CSP forbids them. */
export function inlineStyles(container: HTMLElement): Element[] {
  return [...container.querySelectorAll('[style]')];
}

/** Lets pending fetches, socket frames and effects run, and React render what they brought. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await act(async () => {});
}
