import { isRedacted, redactionMarker } from '@codevf/protocol/shared';
import { isScannable, type KeywordGroup, keywordScanner } from './keywordScan';
import { forEachLineWindow } from './secretRule';
import { SECRET_RULES, type SecretSpan } from './secretRules';

/**
 * Secret redaction before anything leaves the customer's machine (command output, file
 * content, the customer's own chat lines).
 *
 *   const redactor = createRedactor({ extraValues: await loadEnvSecrets(root) });
 *   const { text, redactions } = redactor.redact(output);
 *
 * Every secret becomes `[REDACTED:<rule-id>]` (rule ids: secretRules.ts, plus `env-value` for
 * `extraValues`). `redactions` counts masked values, for the "3 values masked" notice.
 * `findSecrets` exposes the spans for the stream redactor. Redacting twice changes nothing.
 *
 * `extraValues` are exact strings (typically the values of the project's `.env*` files) masked
 * wherever they appear, even inside a longer word. Values shorter than 6 characters are
 * ignored: masking every "true", "3000" or "admin" would hide ordinary output and protect
 * nothing (`MIN_EXTRA_VALUE_LENGTH`).
 *
 * Speed: one pass of a keyword automaton (keywordScan.ts) finds where every rule's keywords
 * occur (`ghp_`, `sk-`, `AKIA`, `cvf_`, `password`…), and each rule runs only there — on
 * the lines that hold one, or from the offsets where one starts (secretRule.ts) — instead of
 * each of the ~90 rules scanning the whole text; the few rules without a keyword still do.
 */

export interface RedactResult {
  text: string;
  /** Number of values masked. */
  redactions: number;
}

export interface Redactor {
  redact(text: string): RedactResult;
  /** Secret spans of `text`: sorted, non-overlapping, each named after the rule that found it. */
  findSecrets(text: string): SecretSpan[];
}

export interface RedactorOptions {
  extraValues?: readonly string[];
}

export type { SecretSpan };

export const MIN_EXTRA_VALUE_LENGTH = 6;
export const EXTRA_VALUE_RULE_ID = 'env-value';
/** How much of a value is looked for by the keyword scan (the rest is compared where it is found). */
const EXTRA_KEYWORD_CHARS = 16;
/** Values beyond this many are searched for one by one (the scan's table grows with each). */
const MAX_SCANNED_EXTRA_VALUES = 1024;

export function createRedactor(options: RedactorOptions = {}): Redactor {
  // Longest first, so a value that contains another is masked whole.
  const extras = [...new Set(options.extraValues ?? [])]
    .filter((v) => v.length >= MIN_EXTRA_VALUE_LENGTH && !isRedacted(v))
    .sort((a, b) => b.length - a.length);

  // The values' first characters join the rules' keywords, so that one scan finds both; a
  // value it cannot look for (not ASCII) is searched for on its own.
  const scanned = extras.filter((v) => isScannable(v.slice(0, EXTRA_KEYWORD_CHARS))).slice(0, MAX_SCANNED_EXTRA_VALUES);
  const scan = scanned.length
    ? keywordScanner([
        ...KEYWORD_GROUPS,
        ...scanned.map((v) => ({ words: [v.slice(0, EXTRA_KEYWORD_CHARS)], ignoreCase: false })),
      ])
    : scanKeywords;
  const group = new Map(scanned.map((v, k) => [v, KEYWORD_GROUPS.length + k]));

  function findSecrets(text: string): SecretSpan[] {
    const starts = scan(text);
    const found = ruleSpans(text, starts);
    for (const value of extras) {
      const hits = starts[group.get(value) ?? -1];
      if (hits) {
        let next = 0;
        for (const i of hits) {
          if (i < next || !text.startsWith(value, i)) continue;
          found.push({ start: i, end: i + value.length, ruleId: EXTRA_VALUE_RULE_ID });
          next = i + value.length;
        }
        continue;
      }
      for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + value.length)) {
        found.push({ start: i, end: i + value.length, ruleId: EXTRA_VALUE_RULE_ID });
      }
    }
    return mergeSpans(found);
  }

  return {
    findSecrets,
    redact(text) {
      const spans = findSecrets(text);
      return { text: applyRedactions(text, spans), redactions: spans.length };
    },
  };
}

/** Rules sharing keywords (the assignment and key-then-value rules) share their scan results. */
const KEYWORD_GROUPS: KeywordGroup[] = [];
const RULE_GROUP = SECRET_RULES.map((rule) => {
  const keywords = rule.keywords;
  if (!keywords) return -1;
  const same = KEYWORD_GROUPS.findIndex(
    (g) => g.ignoreCase === keywords.ignoreCase && g.words.join('\n') === keywords.words.join('\n'),
  );
  return same >= 0 ? same : KEYWORD_GROUPS.push(keywords) - 1;
});
const scanKeywords = keywordScanner(KEYWORD_GROUPS);

/**
 * The spans every rule finds in `text`, in rule order (rule order is priority order: on
 * overlap, the earlier rule names the merged span), not yet merged. `gated: false` runs each
 * rule over the whole text — from every offset — instead of where its keywords are: the
 * reference that the keyword gate is tested against.
 */
export function findRuleSpans(text: string, gated = true): SecretSpan[] {
  return ruleSpans(text, gated ? scanKeywords(text) : undefined);
}

/** `starts`: the scan's keyword offsets, by group (KEYWORD_GROUPS first); none: ungated. */
function ruleSpans(text: string, starts: readonly number[][] | undefined): SecretSpan[] {
  const found: SecretSpan[] = [];
  const everyOffset = starts ? [] : Array.from({ length: text.length }, (_, i) => i);
  const add = (spans: readonly SecretSpan[], offset = 0) => {
    for (const s of spans) found.push(offset ? { start: s.start + offset, end: s.end + offset, ruleId: s.ruleId } : s);
  };
  SECRET_RULES.forEach((rule, i) => {
    const at = starts?.[RULE_GROUP[i] as number] ?? everyOffset;
    if ('findAt' in rule) add(rule.findAt(text, at));
    else if (!rule.keywords || !starts) add(rule.find(text));
    else forEachLineWindow(text, at, 0, (start, end) => add(rule.find(text.slice(start, end)), start));
  });
  return found;
}

/**
 * Overlapping spans are merged into one covering both (failing closed: nothing between two
 * overlapping findings leaks). The merged span keeps the id of the highest-priority rule,
 * i.e. the one whose span was found first in `found`.
 */
function mergeSpans(found: SecretSpan[]): SecretSpan[] {
  const ranked = found.map((s, rank) => ({ ...s, rank }));
  ranked.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: (SecretSpan & { rank: number })[] = [];
  for (const s of ranked) {
    const last = merged.at(-1);
    if (last && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      if (s.rank < last.rank) {
        last.rank = s.rank;
        last.ruleId = s.ruleId;
      }
    } else {
      merged.push({ ...s });
    }
  }
  return merged.map(({ start, end, ruleId }) => ({ start, end, ruleId }));
}

/** Replaces each span (sorted, non-overlapping, within `text`) by its marker. */
export function applyRedactions(text: string, spans: readonly SecretSpan[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + redactionMarker(s.ruleId);
    at = s.end;
  }
  return out + text.slice(at);
}
