import { MAX_REASON_CHARS } from '@codevf/protocol';

/**
 * What a line typed in the chat means. `/human`, alone or followed by a reason, asks for a
 * human engineer instead of being sent as chat (the word must end there: `/humanx` is chat).
 */
export type ChatInput =
  | { kind: 'chat'; text: string }
  | { kind: 'human'; reason?: string }
  | { kind: 'invalid'; message: string };

const HUMAN = /^\/human(?:\s+([\s\S]*))?$/i;

export function parseChatInput(typed: string): ChatInput {
  const text = typed.trim();
  const m = HUMAN.exec(text);
  if (!m) return { kind: 'chat', text };
  const reason = m[1]?.trim();
  if (!reason) return { kind: 'human' };
  if (reason.length > MAX_REASON_CHARS) {
    return { kind: 'invalid', message: `The reason after /human is limited to ${MAX_REASON_CHARS} characters.` };
  }
  return { kind: 'human', reason };
}
