/**
 * The redaction marker: what the customer's side writes in place of a secret before output, a
 * chat line or file content leaves their machine (`[REDACTED:aws-key]`, or `[REDACTED]`). The
 * CLI writes it; the console shows those spots distinctly, so an engineer knows a value was
 * there and was withheld on purpose (not a bug in the output); the server stores it as sent.
 */

/** The marker for a secret found by the rule `ruleId`. */
export function redactionMarker(ruleId: string): string {
  return `[REDACTED:${ruleId}]`;
}

/** Every marker in a text (global: use with matchAll); group 1 is the rule id, if any. */
export const REDACTION_MARKER = /\[REDACTED(?::([^\]\n]{0,100}))?\]/g;

/** A value that is already masked, so that redacting twice changes nothing. */
export function isRedacted(value: string): boolean {
  return value.startsWith('[REDACTED');
}

export interface TextPart {
  text: string;
  /** Set on a redaction marker: its label (`aws-key`), or '' when the marker has none. */
  redacted?: string;
}

/** Splits text into plain parts and redaction markers, in order. Empty parts are dropped. */
export function splitRedactions(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(REDACTION_MARKER)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at) });
    parts.push({ text: m[0], redacted: m[1] ?? '' });
    last = at + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** A part of text carrying CSS classes: a segment of terminal output, a token of highlighted code. */
export interface ClassedPart extends TextPart {
  className: string;
}

/** `splitRedactions` with every part carrying `className`; only markers have `redacted`. */
export function splitClassedRedactions(text: string, className: string): ClassedPart[] {
  return splitRedactions(text).map((part) => ({ ...part, className }));
}

/** Counts the markers in a text (used when the sender did not say how many it masked). */
export function countRedactions(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(REDACTION_MARKER)) n++;
  return n;
}
