/**
 * The screen of a CLI under a pseudo-terminal as a person sees it: the raw output is played
 * into a headless xterm, and only what is visible is read back. Concealed cells (SGR 8) and
 * cells whose text has the colour of their background read as blanks; text overwritten by
 * `\r`, backspaces or cursor moves is gone. This is what the customer can check before a key.
 */
import xtermHeadless from '@xterm/headless';
import type { PtyCli } from './cli';

const { Terminal } = xtermHeadless;

export interface TerminalScreen {
  /** The visible rows now, trailing blanks trimmed, after all output so far has been played. */
  visible(): Promise<string>;
  /** Waits until the visible screen matches (default 10 s). */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Both the pty and the emulator take the new size. */
  resize(cols: number, rows: number): void;
  /** The window title the program set, if any (OSC 0/2). */
  title(): string;
  dispose(): void;
}

export function terminalScreen(cli: PtyCli, cols: number, rows: number): TerminalScreen {
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
  let fed = 0;
  let title = '';
  term.onTitleChange((t) => {
    title = t;
  });
  const play = () =>
    new Promise<void>((resolve) => {
      const raw = cli.raw();
      const chunk = raw.slice(fed);
      fed = raw.length;
      term.write(chunk, resolve);
    });
  const read = (): string => {
    const buf = term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < term.rows; y++) {
      const line = buf.getLine(buf.viewportY + y);
      if (!line) continue;
      let text = '';
      for (let x = 0; x < line.length; x++) {
        const cell = line.getCell(x);
        if (!cell || cell.getWidth() === 0) continue;
        const hidden =
          cell.isInvisible() ||
          (cell.getFgColorMode() === cell.getBgColorMode() &&
            !cell.isFgDefault() &&
            cell.getFgColor() === cell.getBgColor());
        text += hidden ? ' ' : cell.getChars() || ' ';
      }
      out.push(text.trimEnd());
    }
    return out.join('\n');
  };
  return {
    async visible() {
      await play();
      return read();
    },
    async waitFor(pattern, timeoutMs = 10_000) {
      const start = Date.now();
      for (;;) {
        await play();
        const text = read();
        if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
        if (Date.now() - start > timeoutMs) {
          throw new Error(`timed out waiting for the visible screen to match ${pattern}:\n${text}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    resize(c, r) {
      cli.resize(c, r);
      term.resize(c, r);
    },
    title: () => title,
    dispose: () => term.dispose(),
  };
}
