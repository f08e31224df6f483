import type { ClientMessageType, ClientPayload } from '../clientMessages';

/** What a participant may send, by type: the message map the clients type `send` with. */
export type ClientMessages = { [T in ClientMessageType]: ClientPayload<T> };
