// @vitest-environment jsdom
import type { OutputChunk } from '@codevf/protocol/shared';
import { describe, expect, it } from 'vitest';
import { inlineStyles, render } from '../testing/render';
import { AnsiOutput } from './AnsiOutput';

const ESC = '\x1b';
describe('AnsiOutput', () => {
  it('says what it is waiting for before any output', () => {
    const view = render(<AnsiOutput chunks={[]} done={false} label="out" />);
    expect(view.container.textContent).toBe('Waiting for output…');
    view.rerender(<AnsiOutput chunks={[]} done label="out" />);
    expect(view.container.textContent).toBe('No output.');
  });

  it('renders chunks as they arrive, keeping colour across chunk boundaries and cut escapes', () => {
    const chunks: OutputChunk[] = [{ stream: 'stdout', data: `${ESC}[32mok ` }];
    const view = render(<AnsiOutput chunks={chunks} done={false} label="out" />);
    expect(view.container.querySelector('.ansi-green-fg')?.textContent).toBe('ok ');

    const more = [...chunks, { stream: 'stdout' as const, data: `still green ${ESC}[3` }];
    view.rerender(<AnsiOutput chunks={more} done={false} label="out" />);
    const green = [...view.container.querySelectorAll('.ansi-green-fg')].map((e) => e.textContent);
    expect(green).toEqual(['ok ', 'still green ']);

    const last = [...more, { stream: 'stderr' as const, data: `1mred?` }];
    view.rerender(<AnsiOutput chunks={last} done label="out" />);
    // The cut escape belonged to stdout; stderr has its own state and shows the text plainly.
    expect(view.container.querySelector('pre')?.textContent).toBe(`ok still green 1mred?`);
    expect(view.container.querySelector('.stream-stderr')?.textContent).toBe('1mred?');
  });

  it('marks redactions, uses no inline styles, and renders markup as text', () => {
    const view = render(
      <AnsiOutput
        chunks={[{ stream: 'stdout', data: `${ESC}[1mKEY=[REDACTED:aws-key]${ESC}[0m <script>alert(1)</script>\n` }]}
        done
        label="Output of env"
      />,
    );
    const mark = view.container.querySelector('mark.redacted');
    expect(mark?.textContent).toBe('[REDACTED:aws-key]');
    expect(mark?.className).toContain('ansi-bold');
    expect(view.container.querySelector('script')).toBeNull();
    expect(view.container.textContent).toContain('<script>alert(1)</script>');
    expect(inlineStyles(view.container)).toEqual([]);
    expect(view.container.querySelector('section.terminal')?.getAttribute('aria-label')).toBe('Output of env');
  });
});
