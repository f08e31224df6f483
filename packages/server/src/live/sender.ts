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
