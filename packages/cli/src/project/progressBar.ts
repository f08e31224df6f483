import type { IO } from '../core/io';

export interface ProgressBar {
  /** Shows `done` of `total` bytes; redraws at most every 100 ms. */
  update(done: number, total: number): void;
  /** Draws the final state and ends the line. */
  finish(): void;
}

const fmt = (n: number) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1024 * 1024)).toFixed(1)} MB`);

const NONE: ProgressBar = { update() {}, finish() {} };

/**
 * A one-line progress bar with bytes and rate on stderr. Drawn only for a person watching a
 * terminal: never with --json, never when stdout or stderr is piped (docs/PROTOCOL.md §4).
 */
export function createProgressBar(io: IO, label: string, options: { json: boolean; now?: () => number }): ProgressBar {
  if (options.json || !io.stderrIsTTY || !io.stdoutIsTTY) return NONE;
  const now = options.now ?? Date.now;
  const started = now();
  let lastDraw = 0;
  let last = { done: 0, total: 0 };
  const draw = () => {
    const { done, total } = last;
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const ratio = total > 0 ? Math.min(done / total, 1) : 1;
    const width = Math.max(10, Math.min(30, io.columns - 60));
    const filled = Math.round(ratio * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const text = `${label} ${bar} ${String(Math.round(ratio * 100)).padStart(3)}%  ${fmt(done)} / ${fmt(total)}  ${fmt(done / seconds)}/s`;
    io.err(`\r\x1b[2K${text}`);
  };
  return {
    update(done, total) {
      last = { done, total };
      const t = now();
      if (t - lastDraw >= 100) {
        lastDraw = t;
        draw();
      }
    },
    finish() {
      draw();
      io.err('\n');
    },
  };
}
