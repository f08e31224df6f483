import { MAX_CHAT_CHARS } from '@codevf/protocol/shared';
import { CodevfError } from '../core/errors';
import type { LocalWork } from '../session/localWork';

/** A chat line as the live session sends it: trimmed, redacted, within the chat limit. */
export async function chatLine(
  local: LocalWork,
  raw: string,
  what = 'The message',
): Promise<{ text: string; redactions: number }> {
  const trimmed = raw.trim();
  if (!trimmed) throw new CodevfError('E_VALIDATION', `${what} is empty.`, { hint: 'Give the text to send.' });
  const safe = await local.redactText(trimmed);
  if (safe.text.length > MAX_CHAT_CHARS) {
    throw new CodevfError('E_TOO_LARGE', `${what} is ${safe.text.length} characters; the limit is ${MAX_CHAT_CHARS}.`, {
      hint: 'Shorten it, or share a file with --context-file.',
    });
  }
  return safe;
}

/** Room in one chat line for the "Context file … (part i/n)" heading. */
const HEADING_ROOM = 300;

/** A context file's redacted content as chat lines, each within the chat limit. */
export function contextFileLines(path: string, content: string): string[] {
  const room = MAX_CHAT_CHARS - HEADING_ROOM;
  const parts: string[] = [];
  for (let i = 0; i < content.length || parts.length === 0; i += room) parts.push(content.slice(i, i + room));
  return parts.map((part, i) => {
    const of = parts.length > 1 ? ` (part ${i + 1}/${parts.length})` : '';
    return `Context file ${path}${of}:\n${part}`;
  });
}
