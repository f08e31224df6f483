import { showUntrusted, type TextSegment, untrustedSegments } from '@codevf/protocol/shared';
import { formatLimit } from './format';
import type { CommandRequest, FileRequest } from './sessionState';

/**
 * How a request is laid out on the terminal, computed before drawing: the approval keys work
 * only while the whole request is on screen, so the screen must know whether it fits.
 *
 * Widths are over-estimated on purpose (every code point from U+1100 up counts as two cells):
 * a row cut by us is never wide enough for Ink to wrap it again, so the height we compute is
 * the height drawn, or more — never less.
 */
function cells(ch: string): number {
  return (ch.codePointAt(0) ?? 0) < 0x1100 ? 1 : 2;
}

function width(text: string): number {
  let n = 0;
  for (const ch of text) n += cells(ch);
  return n;
}

/** Cuts segments into rows of at most `max` cells, splitting anywhere (a command has no words to keep). */
function cutRows(segments: TextSegment[], max: number): TextSegment[][] {
  const rows: TextSegment[][] = [[]];
  let used = 0;
  for (const seg of segments) {
    let run = '';
    for (const ch of seg.text) {
      const w = cells(ch);
      if (used + w > max && used > 0) {
        if (run) rows[rows.length - 1]?.push({ text: run, escaped: seg.escaped });
        rows.push([]);
        run = '';
        used = 0;
      }
      run += ch;
      used += w;
    }
    if (run) rows[rows.length - 1]?.push({ text: run, escaped: seg.escaped });
  }
  return rows;
}

export interface CommandRow {
  /** Line number column (`  3 │ `), continuation mark, or '' for a one-line command. */
  gutter: string;
  segments: TextSegment[];
}

/**
 * The whole command as rows no wider than `columns`: one numbered line per line of the command
 * (so a command after 60 blank lines is line 61, not off screen), long lines wrapped, every
 * control or invisible character shown as a marker. Nothing is ever cut off.
 */
export function commandRows(command: string, columns: number): CommandRow[] {
  const lines = command.split('\n');
  const numbered = lines.length > 1;
  const digits = String(lines.length).length;
  const gutterWidth = numbered ? digits + 3 : 0;
  const max = Math.max(8, columns - gutterWidth);
  const rows: CommandRow[] = [];
  lines.forEach((line, i) => {
    cutRows(untrustedSegments(line), max).forEach((segments, j) => {
      const gutter = !numbered ? '' : j === 0 ? `${String(i + 1).padStart(digits)} │ ` : `${' '.repeat(digits)} ┆ `;
      rows.push({ gutter, segments });
    });
  });
  return rows;
}

/** Rows a word-wrapped text takes at `columns` (greedy, like Ink's wrap; a long word is cut). */
export function wrappedHeight(text: string, columns: number): number {
  const max = Math.max(1, columns);
  let rows = 0;
  for (const line of text.split('\n')) {
    let used = 0;
    rows += 1;
    for (const word of line.split(' ')) {
      let w = width(word);
      const need = used === 0 ? w : used + 1 + w;
      if (need <= max) {
        used = need;
        continue;
      }
      if (used > 0) rows += 1;
      while (w > max) {
        rows += 1;
        w -= max;
      }
      used = w;
    }
  }
  return rows;
}

/** Inside the prompt's double border and padding. */
export const PROMPT_INSET = 4;
/** The command sits indented inside the prompt. */
export const COMMAND_INDENT = 2;

export const COMMAND_NOTE =
  'Runs in the project folder with your shell; the output (secrets masked) goes to the engineer.';
/** The note for a command with a working directory: the folder line above says which. */
export const COMMAND_NOTE_IN_FOLDER =
  'Runs in that folder of your project with your shell; the output (secrets masked) goes to the engineer.';

/** The note under a command, by where it runs. */
export function commandNote(r: Pick<CommandRequest, 'cwd'>): string {
  return r.cwd !== undefined ? COMMAND_NOTE_IN_FOLDER : COMMAND_NOTE;
}

/** The folder line's text (the folder itself is shown through the untrusted-text markers). */
export const FOLDER_LABEL = 'In folder: ';
/** The time-limit line: the engineer's limit, after which the whole process tree is stopped. */
export function timeLimitText(seconds: number): string {
  return `Time limit: ${formatLimit(seconds)}, then it is stopped.`;
}
export const COMMAND_KEYS = 'Allow? [y] run once · [a] allow this exact command for the session · [n] deny';

/** Rows the command prompt takes, border included. */
export function commandPromptHeight(r: CommandRequest, columns: number): number {
  const inner = Math.max(10, columns - PROMPT_INSET);
  let h = 2 + 1; // border, title
  h += commandRows(r.command, inner - COMMAND_INDENT).length;
  if (r.cwd !== undefined) h += wrappedHeight(`${FOLDER_LABEL}${showUntrusted(r.cwd)}`, inner);
  if (r.timeoutSeconds !== undefined) h += wrappedHeight(timeLimitText(r.timeoutSeconds), inner);
  if (r.reason) h += wrappedHeight(`Reason: ${showUntrusted(r.reason)}`, inner);
  h += wrappedHeight(`${commandNote(r)} Expires in 0:00.`, inner);
  h += wrappedHeight(COMMAND_KEYS, inner);
  return h;
}

/** Rows the file prompt takes, border included (the sensitive-file variant is the tallest). */
export function filePromptHeight(r: FileRequest, columns: number): number {
  const inner = Math.max(10, columns - PROMPT_INSET);
  let h = 2 + wrappedHeight(`Engineer requests file: ${showUntrusted(r.path)} (1023.9 KiB)`, inner);
  if (r.reason) h += wrappedHeight(`Reason: ${showUntrusted(r.reason)}`, inner);
  h += 1; // expiry
  if (r.sensitive) {
    const name = showUntrusted(r.path.split('/').pop() ?? r.path);
    h += wrappedHeight(
      'This file usually holds secrets. Known secret values are masked before sending, but check it first.',
      inner,
    );
    h += wrappedHeight(`Type the file name (${name}) to send it, or press Esc to deny: `, inner) + 1;
    h += wrappedHeight(`That is not the file name. Type ${name} exactly, or press Esc to deny.`, inner);
  } else h += 1;
  return h;
}

/** What else is on screen around a prompt, beyond the fixed rows. */
export interface ScreenExtras {
  notice?: string;
  reconnecting?: boolean;
  /** The header's second line (the rate), which may wrap. */
  headerDetail?: string;
  /** A hint line in the footer (how to ask for a human while the AI helps). */
  footerHint?: string;
}

/**
 * Rows of the screen around the prompt: header (borders, status, detail), input line, footer,
 * the hint and the reconnect banner when shown, one spare. See App.tsx.
 */
export function reservedRows(columns: number, extra: ScreenExtras): number {
  const detail = extra.headerDetail ? wrappedHeight(extra.headerDetail, columns - 4) : 1;
  let h = 3 + detail + 1 + 1 + 1 + 1;
  if (extra.notice) h += wrappedHeight(extra.notice, columns - 2);
  if (extra.footerHint) h += wrappedHeight(extra.footerHint, columns - 2);
  if (extra.reconnecting) h += 3;
  return h;
}

/** Whether the whole request can be on screen at once in a terminal of this size. */
export function requestFits(
  r: CommandRequest | FileRequest,
  size: { columns: number; rows: number },
  extra: ScreenExtras = {},
): { fits: boolean; needRows: number } {
  const prompt = r.kind === 'command' ? commandPromptHeight(r, size.columns) : filePromptHeight(r, size.columns);
  const needRows = prompt + reservedRows(size.columns, extra) + 1;
  // The frame is one row shorter than the terminal (App.tsx).
  return { fits: needRows <= size.rows, needRows };
}
