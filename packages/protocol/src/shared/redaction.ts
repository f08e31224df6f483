/**
 * The redaction marker: what the customer's side writes in place of a secret before output, a
 * chat line or file content leaves their machine (`[REDACTED:aws-key]`, or `[REDACTED]`). The
 * CLI writes it, the console shows it distinctly, the server stores it as sent.
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
