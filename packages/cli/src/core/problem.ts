import { isErrorCode } from '@codevf/protocol/errors';
import { codeForStatus, showUntrusted } from '@codevf/protocol/shared';
import { CodevfError } from './errors';

/**
 * Turns an error answer (RFC 9457 problem details with our `code`, or anything else) into a
 * CodevfError, so the CLI shows the server's code, message and exit code.
 */
export function problemToError(status: number, bodyText: string, what: string): CodevfError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status.
  }
  const code = isErrorCode(body.code) ? body.code : codeForStatus(status);
  // The server's words reach the terminal: controls and escapes are shown as markers, never run.
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? showUntrusted(v.trim()) : undefined);
  const message = text(body.detail) ?? text(body.title) ?? `${what} failed with HTTP ${status}.`;
  return new CodevfError(code, message, { hint: text(body.hint) });
}
