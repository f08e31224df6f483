import { untrustedSegments } from '@codevf/protocol/shared';
import type { Store } from '../session/store';
import { clockTime } from './format';
import { inputOwner } from './inputOwner';
import { type LinkRule, routeKey, type SessionActions } from './keyRouter';
import { HUMAN_HINT, headerDetail, showsHumanHint, statusLine } from './screenText';
import type { Action, Entry, SessionState } from './sessionState';

/** A piece of a line: text and the SGR parameters it is drawn with. */
interface Run {
  text: string;
  sgr?: string;
}

export interface PlainFrame {
  /** Resolves once the helper's first words or a request are drawn, the task is queued, or the start is over. */
  readonly firstWords: Promise<void>;
  /** Stops drawing and erases the frame; the full screen draws from its first row on. */
  handOver(): void;
}

/**
 * The live screen's first frame, written directly while Ink and React load (≈ 150 ms of the
 * time to the AI's first words otherwise, BENCHMARKS.md "Hybrid mode"): the header's two lines,
 * the chat so far, what is typed, the latest notice and the /human hint, redrawn whenever they
 * change. No line is wider than the terminal, so none wraps and the erase before the full
 * screen knows how many rows to remove. Someone else's text goes through the same
 * untrusted-text rules as on the full screen (Untrusted.tsx).
 */
export function showPlainFrame(
  session: SessionActions & { store: Store<SessionState, Action> },
  streams: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream },
  links: LinkRule = {},
): PlainFrame {
  const { stdin, stdout } = streams;
  const { store } = session;
  // Keys are read in raw mode (not echoed over this frame) and go where they would go on the
  // full screen, against the state at the moment they are typed: text into the chat, Ctrl+C.
  // Any other owner (a prompt) is not on this frame, so its keys are dropped. Ink takes the
  // keyboard over after handOver, and restores the terminal's mode when it ends.
  const onKeys = (chunk: string) => {
    if (chunk.startsWith('\x1b')) return; // arrows and the like: nothing on this frame uses them
    if (chunk.includes('\x03')) routeKey(store.getState, 'c', { ctrl: true }, session, () => false, links);
    else if (inputOwner(store.getState()) === 'chat') routeKey(store.getState, chunk, {}, session, () => false, links);
  };
  // 'readable' and read(), as Ink reads: the stream stays paused and reading, so after the
  // hand-over Ink's own 'readable' listener gets whatever comes next (no pause(), no flowing mode).
  const onReadable = () => {
    for (let chunk = stdin.read(); chunk !== null; chunk = stdin.read()) onKeys(String(chunk));
  };
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('readable', onReadable);
  }
  let drawnRows = 0;
  let drawn = '';
  let resolveFirstWords!: () => void;
  const firstWords = new Promise<void>((r) => {
    resolveFirstWords = r;
  });

  const draw = () => {
    const state = store.getState();
    const lines = frameLines(state, stdout.columns || 80, stdout.rows || 24);
    const text = lines.map((l) => `${l}\n`).join('');
    if (text !== drawn) {
      stdout.write(erase(drawnRows) + text);
      drawnRows = lines.length;
      drawn = text;
    }
    if (fullScreenNeeded(state)) resolveFirstWords();
  };
  const unsubscribe = store.subscribe(draw);
  draw();
  return {
    firstWords,
    handOver() {
      unsubscribe();
      stdin.off('readable', onReadable);
      if (drawnRows > 0) stdout.write(erase(drawnRows));
      drawnRows = 0;
    },
  };
}

/**
 * Whether the plain frame has done its part: the helper spoke or asked, a question for the
 * customer is up, the start is over, or the task waits for a human (no first words are coming
 * soon: the full screen is needed first).
 */
function fullScreenNeeded(state: SessionState): boolean {
  if ((state.phase !== 'starting' && state.phase !== 'live') || state.status === 'queued') return true;
  if (state.phase === 'live' && inputOwner(state) !== 'chat') return true;
  return state.entries.some((e) => e.kind === 'request' || (e.kind === 'message' && e.who !== 'customer'));
}

/** Back to the first of `rows` rows written above the cursor, and everything from there down cleared. */
function erase(rows: number): string {
  return rows > 0 ? `\x1b[${rows}A\r\x1b[J` : '';
}

/** The frame's lines: the header, as much of the end of the chat as fits, what is typed, the notice and the hint. */
export function frameLines(state: SessionState, columns: number, rows: number): string[] {
  const width = columns - 1;
  const header = [
    fit([...untrusted(statusLine(state), '1')], width),
    fit([{ text: headerDetail(state), sgr: '2' }], width),
  ];
  const footer = [
    ...(state.phase === 'live' && state.draft ? [fit([{ text: '> ' }, ...untrusted(state.draft)], width)] : []),
    ...(state.notice ? [fit(untrusted(state.notice.text), width)] : []),
    ...(showsHumanHint(state) ? [fit([{ text: HUMAN_HINT }], width)] : []),
  ];
  const chat = state.entries.flatMap((e) => entryLines(e, width));
  const room = Math.max(0, rows - 1 - header.length - footer.length);
  return [...header, ...chat.slice(Math.max(0, chat.length - room)), ...footer];
}

/** An entry as the chat log shows it, one row per line of its text (requests wait for the full screen). */
function entryLines(entry: Entry, width: number): string[] {
  if (entry.kind === 'request') return [];
  const time: Run = { text: `[${clockTime(entry.at)}] `, sgr: '2' };
  if (entry.kind === 'system') {
    const quote = entry.quote === undefined ? [] : entry.quote.split(/\r?\n/);
    return [
      fit([time, ...untrusted(entry.text)], width),
      ...quote.map((q) => fit([{ text: ' '.repeat(8) }, ...untrusted(q, '2')], width)),
    ];
  }
  const speaker: Run[] =
    entry.who === 'customer'
      ? [...untrusted(entry.name, '1'), { text: ':', sgr: '1' }]
      : entry.who === 'guide'
        ? [...untrusted(entry.name, '1'), { text: ' (guiding the AI):', sgr: '1' }]
        : [
            ...(entry.speakerKind === 'ai' ? [{ text: ' AI ', sgr: '7' }, { text: ' ' }] : []),
            ...untrusted(entry.name, '1'),
            { text: ':', sgr: '1' },
          ];
  const prefix = [time, ...speaker, { text: ' ' }];
  // Later lines of a message start under its first, as on the full screen.
  const indent = { text: ' '.repeat(columnsOf(prefix)) };
  return entry.text.split(/\r?\n/).map((line, i) => fit([...(i === 0 ? prefix : [indent]), ...untrusted(line)], width));
}

/** Someone else's text as runs: every control, escape or invisible character a marker in inverse video. */
function untrusted(text: string, sgr?: string): Run[] {
  return untrustedSegments(text).map((s) => ({
    text: s.text,
    sgr: s.escaped ? (sgr ? `${sgr};7` : '7') : sgr,
  }));
}

/**
 * Columns a character may take: one for printable ASCII, two for anything else. An upper
 * bound, so that a line cut to the width never wraps (a wide or ambiguous character included).
 */
function charColumns(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  return c >= 0x20 && c < 0x7f ? 1 : 2;
}

function columnsOf(runs: Run[]): number {
  let n = 0;
  for (const run of runs) for (const ch of run.text) n += charColumns(ch);
  return n;
}

/** The runs as one styled line of at most `width` columns, cut with `…` when longer. */
function fit(runs: Run[], width: number): string {
  if (width < 3) return '';
  const limit = columnsOf(runs) <= width ? width : width - 2;
  let out = '';
  let used = 0;
  for (const run of runs) {
    let part = '';
    let cut = false;
    for (const ch of run.text) {
      const w = charColumns(ch);
      if (used + w > limit) {
        cut = true;
        break;
      }
      part += ch;
      used += w;
    }
    out += run.sgr && part ? `\x1b[${run.sgr}m${part}\x1b[0m` : part;
    if (cut) return `${out}…`;
  }
  return out;
}
