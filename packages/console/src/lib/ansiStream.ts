// biome-ignore-all lint/suspicious/noControlCharactersInRegex: matching terminal control sequences is this module's job

import { splitClassedRedactions } from '@codevf/protocol/shared';
import Anser from 'anser';

/**
 * Streaming ANSI → styled segments for command output.
 *
 * Output arrives in chunks that may cut an escape sequence (or a redaction marker) in half, so
 * each stream keeps back an unfinished tail until the next chunk. Colours become CSS classes
 * (anser's class mode): the console runs under a CSP without inline styles, and classes let
 * the light and dark themes pick readable colours. Text is never turned into HTML; the caller
 * renders segments as React text nodes.
 */
export interface AnsiSegment {
  text: string;
  /** Space-separated CSS classes (`ansi-red-fg ansi-bold`); '' for plain text. */
  className: string;
  /** Label of a redaction marker (`''` when unlabelled); undefined for ordinary text. */
  redacted?: string;
}

export interface AnsiStream {
  /** Feeds one chunk; returns the segments that are complete so far. */
  push(chunk: string): AnsiSegment[];
  /** Returns whatever was held back (call when the stream ends). */
  flush(): AnsiSegment[];
}

// Unfinished things at the end of a chunk that the next chunk may complete:
// a lone ESC, a CSI without its final byte, an OSC without its terminator, a CR that may be
// half of CRLF, or the start of a redaction marker.
const HOLD_BACK = [
  /\x1b$/,
  /\x1b\[[0-?]*[ -/]*$/,
  /\x1b\][^\x07\x1b]*(?:\x1b)?$/,
  /\r$/,
  /\[(?:R(?:E(?:D(?:A(?:C(?:T(?:E(?:D(?::[^\]\n]{0,100})?)?)?)?)?)?)?)?)?$/,
];

// Escape sequences anser does not understand (OSC titles and hyperlinks, charset selection,
// keypad modes): dropped so no raw ESC bytes reach the page.
const FOREIGN_ESCAPES = /\x1b\][\s\S]*?(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78DEHMNOZc]/g;
// Control characters other than tab, newline and ESC have no business in the page.
const CONTROL_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;

interface AnserEntry {
  content: string;
  fg: string | null;
  bg: string | null;
  decorations: string[];
}

function holdBackIndex(text: string): number {
  let at = text.length;
  for (const re of HOLD_BACK) {
    const m = re.exec(text);
    if (m && m.index < at) at = m.index;
  }
  return at;
}

/** 256-colour palette entries become the nearest of the 16 themed colours. */
function paletteClass(name: string): string {
  const m = /^ansi-palette-(\d+)$/.exec(name);
  if (!m) return name;
  const n = Number(m[1]);
  const basic = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
  if (n >= 232) return n < 244 ? 'ansi-bright-black' : 'ansi-white';
  // 6×6×6 cube: threshold each channel to on/off, brighten when any channel is high.
  const c = n - 16;
  const r = Math.floor(c / 36);
  const g = Math.floor(c / 6) % 6;
  const b = c % 6;
  const idx = (r >= 3 ? 1 : 0) + (g >= 3 ? 2 : 0) + (b >= 3 ? 4 : 0);
  const bright = Math.max(r, g, b) >= 5;
  return `ansi-${bright ? 'bright-' : ''}${basic[idx]}`;
}

function classesOf(entry: AnserEntry): string {
  const classes: string[] = [];
  // Truecolour has no class of its own; it falls back to the default colour.
  if (entry.fg && entry.fg !== 'ansi-truecolor') classes.push(`${paletteClass(entry.fg)}-fg`);
  if (entry.bg && entry.bg !== 'ansi-truecolor') classes.push(`${paletteClass(entry.bg)}-bg`);
  for (const d of entry.decorations) {
    if (!classes.includes(`ansi-${d}`)) classes.push(`ansi-${d}`);
  }
  return classes.join(' ');
}

function toSegments(text: string, anser: Anser): AnsiSegment[] {
  const cleaned = text
    .replace(FOREIGN_ESCAPES, '')
    .replace(/\r\n/g, '\n')
    // A lone CR (progress bars) would glue lines together in a <pre>; start a new line instead.
    .replace(/\r/g, '\n')
    .replace(CONTROL_CHARS, '');
  if (cleaned === '') return [];
  // anser styles the text before the first escape of a call without its carried-over colour;
  // SGR 10 ("primary font") changes nothing, so prefixing it makes that text keep the colour.
  const entries = anser.ansiToJson(`\x1b[10m${cleaned}`, {
    use_classes: true,
    remove_empty: true,
  }) as unknown as AnserEntry[];
  const out: AnsiSegment[] = [];
  for (const entry of entries) {
    const className = classesOf(entry);
    for (const part of splitClassedRedactions(entry.content, className)) {
      const prev = out[out.length - 1];
      if (part.redacted === undefined && prev && prev.redacted === undefined && prev.className === className) {
        prev.text += part.text;
      } else {
        out.push(part);
      }
    }
  }
  return out;
}

export function createAnsiStream(): AnsiStream {
  // One anser instance per stream: it carries the current colour from chunk to chunk.
  const anser = new Anser();
  let pending = '';
  return {
    push(chunk) {
      const text = pending + chunk;
      const cut = holdBackIndex(text);
      pending = text.slice(cut);
      return toSegments(text.slice(0, cut), anser);
    },
    flush() {
      // An escape sequence that never finished is noise, not text.
      const text = pending.replace(/\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?)?$/, '');
      pending = '';
      return toSegments(text, anser);
    },
  };
}

/** Renders a complete text in one go (file previews, transcripts). */
export function ansiToSegments(text: string): AnsiSegment[] {
  const stream = createAnsiStream();
  return [...stream.push(text), ...stream.flush()];
}
