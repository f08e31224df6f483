import { MAX_CHAT_CHARS } from '@codevf/protocol';
import type { SessionClient } from './sessionConnection';
import { reasonOf, type SessionCore } from './sessionCore';

/** The customer's chat lines: length limit, redaction, and a failure shown next to the line. */
export function sendChat(core: SessionCore, text: string) {
  const trimmed = text.trim();
  const client = core.client;
  if (!trimmed || !client) return;
  if (trimmed.length > MAX_CHAT_CHARS) {
    core.dispatch({ type: 'notice', text: `Messages are limited to ${MAX_CHAT_CHARS} characters.`, tone: 'warn' });
    return;
  }
  void send(core, client, trimmed);
}

/** Masks secrets (waiting for the safety layer if it is still loading), then sends and shows the line. */
async function send(core: SessionCore, client: SessionClient, text: string) {
  let masked: { text: string; redactions: number };
  try {
    masked = await core.options.local.redactText(text);
  } catch (err) {
    core.dispatch({ type: 'notice', text: `The message was not sent: ${reasonOf(err)}`, tone: 'error' });
    return;
  }
  const { text: safe, redactions } = masked;
  const sent = client.send('customer_message', { text: safe, ...(redactions ? { redactions } : {}) });
  core.dispatch({ type: 'chatSent', localId: sent.id, text: safe, redactions, at: core.at() });
  sent.acked.catch((err) => core.dispatch({ type: 'sendFailed', localId: sent.id, reason: reasonOf(err) }));
}
