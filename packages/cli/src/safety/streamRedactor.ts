import type { Redactor, RedactResult } from './redactor';
import { applyRedactions } from './redactor';
import { MAX_PEM_CHARS, PEM_BEGIN_PATTERN, PEM_END_PATTERN } from './secretRules';

/**
 * Redaction of chunked output (a command's stdout or stderr). One stream redactor per stream.
 *
 *   const sr = createStreamRedactor(redactor);
 *   for each chunk: send(sr.push(chunk).text);   at the end: send(sr.flush().text);
 *
 * A secret split across chunks is still masked, because text is released only at safe points:
 * - up to the last line break (`\n` or `\r`): rules look back at most one line (secretRules.ts),
 *   so each release is scanned together with the line released before it, and a complete line
 *   is judged exactly as it would be in the whole text;
 * - an open PEM block (a BEGIN marker ending its line, no END yet) is held from its line until
 *   END, up to MAX_PEM_CHARS; past that the block is released with its body masked and the
 *   base64 lines that follow are dropped until END or a line that is not base64;
 * - a line longer than `maxHoldChars` (default 16 KiB) is released anyway, except its last
 *   4 KiB, cut outside any secret found in the held text. A secret longer than 4 KiB that is
 *   still arriving at that moment could be split — none of the formats we know is that long.
 * Consequence: a partial last line (a prompt, a progress bar without `\r`) shows only when its
 * line ends, the hold limit is reached, or `flush()` is called at exit.
 */

export interface StreamRedactor {
  /** Adds a chunk; returns the text that is safe to release now (may be empty). */
  push(chunk: string): RedactResult;
  /** Releases everything still held (call once, when the stream ends). */
  flush(): RedactResult;
}

export interface StreamRedactorOptions {
  /** Longest partial line held back, in characters. */
  maxHoldChars?: number;
}

export const DEFAULT_MAX_HOLD_CHARS = 16 * 1024;
/** Kept back when a long line is released early: a secret in it may still be arriving. */
const HOLD_TAIL_CHARS = 4 * 1024;

const BEGIN = new RegExp(PEM_BEGIN_PATTERN, 'g');
const END = new RegExp(PEM_END_PATTERN);
const PEM_BODY_LINE = /^[A-Za-z0-9+/=]*$/;

export function createStreamRedactor(redactor: Redactor, options: StreamRedactorOptions = {}): StreamRedactor {
  const maxHold = Math.max(options.maxHoldChars ?? DEFAULT_MAX_HOLD_CHARS, HOLD_TAIL_CHARS * 2);
  let held = '';
  /** The last complete line released (as it was before redaction), context for the next release. */
  let previousLine = '';

  /** Redacts `part` (which follows `previousLine` in the stream), masking only inside `part`. */
  function release(part: string): RedactResult {
    const offset = previousLine.length;
    const spans = redactor
      .findSecrets(previousLine + part)
      .filter((s) => s.end > offset)
      .map((s) => ({ start: Math.max(s.start, offset) - offset, end: s.end - offset, ruleId: s.ruleId }));
    previousLine = lastLine(part);
    return { text: applyRedactions(part, spans), redactions: spans.length };
  }
  /** Set after an oversized PEM block was released: drop its remaining body lines. */
  let inOverflowedPem = false;

  function dropOverflowedPemBody(part: string): string {
    let i = 0;
    while (inOverflowedPem && i < part.length) {
      const nl = part.indexOf('\n', i);
      const lineEnd = nl < 0 ? part.length : nl + 1;
      const line = part.slice(i, lineEnd).replace(/[\r\n]+$/, '');
      if (END.test(line)) {
        inOverflowedPem = false;
        i = lineEnd;
      } else if (PEM_BODY_LINE.test(line.trim())) {
        i = lineEnd;
      } else {
        inOverflowedPem = false;
      }
    }
    return part.slice(i);
  }

  return {
    push(chunk) {
      held += chunk;
      if (inOverflowedPem) {
        const complete = lastLineBreak(held) + 1;
        held = dropOverflowedPemBody(held.slice(0, complete)) + held.slice(complete);
      }
      let cut = lastLineBreak(held) + 1;
      const open = openPemLineStart(held, cut);
      if (open >= 0 && open < cut) {
        if (held.length - open <= MAX_PEM_CHARS) {
          cut = open;
        } else {
          // The redactor masks an unterminated block's body up to the end of what is released.
          const out = release(held.slice(0, cut));
          held = held.slice(cut);
          inOverflowedPem = true;
          return out;
        }
      }
      if (cut === 0 && open < 0 && held.length > maxHold) {
        const spans = redactor.findSecrets(held);
        cut = held.length - HOLD_TAIL_CHARS;
        for (const s of spans) if (s.start < cut && s.end > cut) cut = s.start;
        if (cut > 0 && isHighSurrogate(held.charCodeAt(cut - 1))) cut--;
        if (cut <= 0) return { text: '', redactions: 0 };
        const inside = spans.filter((s) => s.end <= cut);
        const text = applyRedactions(held.slice(0, cut), inside);
        held = held.slice(cut);
        previousLine = '';
        return { text, redactions: inside.length };
      }
      if (cut === 0) return { text: '', redactions: 0 };
      const out = release(held.slice(0, cut));
      held = held.slice(cut);
      return out;
    },
    flush() {
      const out = release(inOverflowedPem ? dropOverflowedPemBody(held) : held);
      held = '';
      inOverflowedPem = false;
      return out;
    },
  };
}

/** Offset of the last `\n` or `\r` (one backward pass that stops there: a chunk rarely has `\r`). */
function lastLineBreak(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) return i;
  }
  return -1;
}

/** The last line of a release with its line break; '' when the release ends mid-line. */
function lastLine(s: string): string {
  const end = s.length - (s.endsWith('\r\n') ? 2 : 1);
  if (end < 0 || (s[end] !== '\n' && s[end] !== '\r' && !s.endsWith('\r\n'))) return '';
  return s.slice(lastLineBreak(s.slice(0, end)) + 1);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Start of the line holding the first PEM BEGIN marker that ends its line (or the text) and
 * whose END is missing or lies past `cut` (in the partial last line); -1 when there is none.
 * A marker inside a string in code is followed by a quote, not a line break, and is not held.
 */
function openPemLineStart(text: string, cut: number): number {
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m; m = BEGIN.exec(text)) {
    const after = m.index + m[0].length;
    const next = text[after];
    const endsLine = next === undefined || next === '\n' || next === '\r';
    const end = END.exec(text.slice(after));
    if (end && after + end.index + end[0].length <= cut) {
      BEGIN.lastIndex = after + end.index + end[0].length;
      continue;
    }
    if (endsLine) return lastLineBreak(text.slice(0, m.index)) + 1;
    if (end) BEGIN.lastIndex = after + end.index + end[0].length;
  }
  return -1;
}
