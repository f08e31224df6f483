/**
 * What a redaction rule is, and the two ways rules are built from regexes. Shared by the rule
 * families (secretRules.ts, commandLineRules.ts).
 */

export interface SecretSpan {
  /** Offsets into the scanned text, `end` exclusive. */
  start: number;
  end: number;
  ruleId: string;
}

export interface SecretRule {
  id: string;
  find(text: string): SecretSpan[];
}

// ---- helpers ---------------------------------------------------------------------------

/**
 * A rule from one regex. When the regex has a named group `secret`, only that group is
 * masked (so `postgres://app:` and `@db` stay readable); otherwise the whole match.
 */
export function regexRule(
  id: string,
  pattern: RegExp,
  accept?: (secret: string, m: RegExpExecArray) => boolean,
): SecretRule {
  const flags = new Set(pattern.flags);
  flags.add('g');
  flags.add('d');
  const re = new RegExp(pattern.source, [...flags].join(''));
  return {
    id,
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

/** Longest stretch a hinted pattern may have before its hint. */
const HINT_LOOKBACK = 64;

/**
 * A pattern with a fixed `hint` inside: found by scanning for the hint (fast) and trying the
 * pattern only at the few starts before each occurrence, instead of at every word.
 */
export function hintedRule(id: string, pattern: RegExp, hint: string, accept: (secret: string) => boolean): SecretRule {
  const re = new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}yd`);
  return {
    id,
    find(text) {
      const spans: SecretSpan[] = [];
      let from = 0;
      for (let h = text.indexOf(hint); h >= 0; h = text.indexOf(hint, h + 1)) {
        for (let start = Math.max(from, h - HINT_LOOKBACK); start <= h; start++) {
          re.lastIndex = start;
          const m = re.exec(text);
          const range = m?.indices?.groups?.secret ?? m?.indices?.[0];
          if (!m || !range || m.index + m[0].length <= h || !accept(text.slice(range[0], range[1]))) continue;
          spans.push({ start: range[0], end: range[1], ruleId: id });
          from = m.index + m[0].length;
          h = Math.max(h, from - 1);
          break;
        }
      }
      return spans;
    },
  };
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

/**
 * A rule tried only on the lines that contain `keyword` (and pass `lineFilter`), for patterns
 * that V8 would otherwise try at every word of the text (`\b(?:docker|podman…)\b…`, `^…$`).
 * The patterns never cross a line, so the result is the same as on the whole text.
 */
export function keywordLineRule(
  id: string,
  pattern: RegExp,
  keyword: string,
  accept?: (secret: string, m: RegExpExecArray) => boolean,
  lineFilter?: (line: string) => boolean,
): SecretRule {
  const inner = regexRule(id, pattern, accept);
  return {
    id,
    find(text) {
      const spans: SecretSpan[] = [];
      for (let k = text.indexOf(keyword); k >= 0; ) {
        let start = k;
        while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
        let end = text.indexOf('\n', k);
        if (end < 0) end = text.length;
        const line = text.slice(start, end);
        if (!lineFilter || lineFilter(line)) {
          for (const s of inner.find(line))
            spans.push({ start: s.start + start, end: s.end + start, ruleId: s.ruleId });
        }
        k = text.indexOf(keyword, end);
      }
      return spans;
    },
  };
}
