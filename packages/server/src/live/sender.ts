import { type ClientMessageType, CUSTOMER_SENDS, ENGINEER_SENDS, GUIDE_SENDS, type SenderRole } from '@codevf/protocol';
import type { AuthUser } from '../auth/guards';

/** Who sends a live message: a participant's socket, or the AI on the server's side (ai/aiUser.ts). */
export interface Sender {
  user: Pick<AuthUser, 'id' | 'name'>;
  role: SenderRole;
  taskId: string;
}

/** What each role may send (CLIENT_MESSAGE_SENDERS); checked for every sender, sockets and the AI alike. */
export const SENDS: Record<SenderRole, readonly ClientMessageType[]> = {
  customer: CUSTOMER_SENDS,
  engineer: ENGINEER_SENDS,
  guide: GUIDE_SENDS,
};

/**
 * What a customer's console socket (the browser, signed in by cookie) may send: chat. Answers to
 * requests, command output and files come only from the terminal where the commands run (the
 * CLI's bearer socket): a web page must never be able to approve, or report an output, for it.
 */
const CONSOLE_CUSTOMER_SENDS: readonly ClientMessageType[] = ['hello', 'customer_message'];

/** Null when `type` may be sent on this socket; otherwise why not (the E_FORBIDDEN message). */
export function sendRefusal(role: SenderRole, via: 'bearer' | 'cookie', type: ClientMessageType): string | null {
  if (!SENDS[role].includes(type)) return `A ${role} may not send ${type}.`;
  if (role === 'customer' && via === 'cookie' && !CONSOLE_CUSTOMER_SENDS.includes(type))
    return `The console only chats: answer requests in the terminal where codevf runs (${type} refused).`;
  return null;
}
