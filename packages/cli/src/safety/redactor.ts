import { isRedacted, redactionMarker } from '@codevf/protocol/shared';
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

export function createRedactor(options: RedactorOptions = {}): Redactor {
  // Longest first, so a value that contains another is masked whole.
  const extras = [...new Set(options.extraValues ?? [])]
    .filter((v) => v.length >= MIN_EXTRA_VALUE_LENGTH && !isRedacted(v))
    .sort((a, b) => b.length - a.length);

  function findSecrets(text: string): SecretSpan[] {
    const found: SecretSpan[] = [];
    // Rule order is priority order: on overlap, the earlier rule names the merged span.
    for (const rule of SECRET_RULES) found.push(...rule.find(text));
    for (const value of extras) {
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
