import type { KeywordGroup } from './keywordScan';

/**
 * What a redaction rule is, and the ways rules are built from regexes. Shared by the rule
 * families (secretRules.ts, commandLineRules.ts); run by the redactor (redactor.ts).
 */

export interface SecretSpan {
  /** Offsets into the scanned text, `end` exclusive. */
  start: number;
  end: number;
  ruleId: string;
}

/**
 * A rule either scans text with `find` or starts from keyword offsets with `findAt`.
 *
 * `keywords`: literal strings at least one of which every match contains. The redactor then
 * runs the rule only where one occurs: `find` on each line that holds one — such a rule never
 * matches across a line break, nor looks at text outside the match's line — or `findAt` with
 * the sorted offsets where one starts (every match must begin at one, or be found from one).
 * A `find` rule without keywords gets the whole text.
 */
export type SecretRule = TextRule | KeywordRule;

export interface TextRule {
  id: string;
  keywords?: KeywordGroup;
  find(text: string): SecretSpan[];
}

export interface KeywordRule {
  id: string;
  keywords: KeywordGroup;
  findAt(text: string, starts: readonly number[]): SecretSpan[];
}

// ---- helpers ---------------------------------------------------------------------------

/**
 * A rule from one regex. When the regex has a named group `secret`, only that group is
 * masked (so `postgres://app:` and `@db` stay readable); otherwise the whole match.
 * `keywords` (matched in any case when the regex has the `i` flag) gate it by line.
 */
export function regexRule(
  id: string,
  pattern: RegExp,
  accept?: (secret: string, m: RegExpExecArray) => boolean,
  keywords?: readonly string[],
): TextRule {
  const re = withFlags(pattern, 'gd');
  return {
    id,
    ...(keywords && { keywords: { words: keywords, ignoreCase: pattern.ignoreCase } }),
    find(text) {
      const spans: SecretSpan[] = [];
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        const range = m.indices?.groups?.secret ?? m.indices?.[0];
        if (!range) continue;
        const secret = text.slice(range[0], range[1]);
        if (accept && !accept(secret, m)) {
          // Retry from the next character: a rejected candidate may hide a real one inside.
          re.lastIndex = m.index + 1;
          continue;
        }
        spans.push({ start: range[0], end: range[1], ruleId: id });
      }
      return spans;
    },
  };
}

/**
 * A rule from a regex every match of which begins with one of `keywords`, for keywords too
 * common to gate by line (`auth`): the regex is tried, anchored, only where one starts. The
 * matches are those the regex finds scanning the whole text (each is the leftmost one after
 * the previous, and can only begin at a keyword).
 */
export function prefixRule(
  id: string,
  pattern: RegExp,
  keywords: readonly string[],
  accept?: (secret: string) => boolean,
): KeywordRule {
  const re = withFlags(pattern, 'yd');
  return {
    id,
    keywords: { words: keywords, ignoreCase: pattern.ignoreCase },
    findAt(text, starts) {
      const spans: SecretSpan[] = [];
      let from = 0;
      for (const at of starts) {
        if (at < from) continue;
        re.lastIndex = at;
        const m = re.exec(text);
        const range = m?.indices?.groups?.secret ?? m?.indices?.[0];
        if (!m || !range || m[0].length === 0) continue;
        if (accept && !accept(text.slice(range[0], range[1]))) continue;
        spans.push({ start: range[0], end: range[1], ruleId: id });
        from = m.index + m[0].length;
      }
      return spans;
    },
  };
}

/** Windows closer than this are run as one: a rule run costs about as much as scanning it. */
const WINDOW_JOIN_GAP = 256;

/**
 * Calls `visit(start, end)` over the lines that hold the given offsets (sorted), each with
 * the `linesBefore` lines before it: whole lines, `end` at a line break (excluded) or at the
 * end of the text, in order and without overlap (windows that touch or nearly touch are
 * joined). A rule confined to its line finds in the windows what it finds in the whole text.
 */
export function forEachLineWindow(
  text: string,
  starts: readonly number[],
  linesBefore: number,
  visit: (start: number, end: number) => void,
): void {
  let windowStart = 0;
  let windowEnd = -1;
  for (const at of starts) {
    if (at <= windowEnd) continue; // on a line already in the window (the break ends its line)
    let start = lineStart(text, at);
    for (let k = 0; k < linesBefore && start > 0; k++) start = lineStart(text, start - 1);
    const newline = text.indexOf('\n', at);
    const end = newline < 0 ? text.length : newline;
    if (windowEnd >= 0 && start <= windowEnd + WINDOW_JOIN_GAP) {
      windowEnd = end;
      continue;
    }
    if (windowEnd >= 0) visit(windowStart, windowEnd);
    windowStart = start;
    windowEnd = end;
  }
  if (windowEnd >= 0) visit(windowStart, windowEnd);
}

/** Start of the line holding offset `at` (a line break belongs to the line it ends). */
function lineStart(text: string, at: number): number {
  return at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1;
}

function withFlags(pattern: RegExp, add: string): RegExp {
  const flags = new Set(pattern.flags.replace(/[gy]/g, ''));
  for (const f of add) flags.add(f);
  return new RegExp(pattern.source, [...flags].join(''));
}

/**
 * The matches of a sticky regex that a global scan of the text would find, tried only at the
 * keyword offsets the redactor found: an offset inside what the previous match consumed is
 * skipped. A rule that reads on past its match (the value after a key) says so with `consumedTo`.
 */
export class KeywordScan {
  private next = 0;

  constructor(
    private readonly text: string,
    private readonly re: RegExp,
  ) {}

  /** The match starting at `at`, or null; a match is consumed up to its end. */
  at(at: number): RegExpExecArray | null {
    if (at < this.next) return null;
    this.re.lastIndex = at;
    const m = this.re.exec(this.text);
    if (m) this.next = m.index + m[0].length;
    return m;
  }

  consumedTo(end: number): void {
    this.next = Math.max(this.next, end);
  }
}

// ---- keys ------------------------------------------------------------------------------

export const MAX_KEY_PREFIX = 60;

export function isKeyChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f || // _
    code === 0x2e || // .
    code === 0x2d // -
  );
}

/** Where the key that ends at `index` starts: back over key characters, at most MAX_KEY_PREFIX. */
export function keyStartBefore(text: string, index: number): number {
  let start = index;
  while (start > 0 && index - start < MAX_KEY_PREFIX && isKeyChar(text.charCodeAt(start - 1))) start--;
  return start;
}

/**
 * What a secret's key contains (`DB_PASSWORD`, `apiKey`, `client_secret`, `_auth`): the
 * keywords of the assignment and key-then-value rules, which share their scan.
 */
export const KEY_KEYWORDS: KeywordGroup = {
  words: ['pass', 'pwd', 'secret', 'token', 'key', 'credential', 'auth'],
  ignoreCase: true,
};
/** `KEY_KEYWORDS` as a regex alternation, to start the key rules' patterns with. */
export const KEY_KEYWORD_PATTERN = `(?:${KEY_KEYWORDS.words.join('|')})`;
