import type { z } from 'zod';
import { Ack, ErrorFrame, Welcome } from './controlFrames';
import { eventPayloads } from './serverEvents';

/**
 * What the server sends a client (server → client, docs/PROTOCOL.md §3.5): every persisted
 * event (with `seq`), plus the control frames `welcome`, `ack` and `error` (without).
 */
export const serverPayloads = {
  ...eventPayloads,
  /** server: answers hello. */
  welcome: Welcome,
  /** server: a client message with an `id` was applied. */
  ack: Ack,
  /** server: a client message broke a rule. */
  error: ErrorFrame,
} as const;

export type ServerMessageType = keyof typeof serverPayloads;
export type ServerPayload<T extends ServerMessageType> = z.infer<(typeof serverPayloads)[T]>;

/** A frame the server sends: a union discriminated on `type`. */
export type ServerMessage<T extends ServerMessageType = ServerMessageType> = {
  [K in T]: { type: K; timestamp: string; payload: ServerPayload<K>; seq?: number; id?: string };
}[T];

export function isServerMessageType(type: string): type is ServerMessageType {
  return Object.hasOwn(serverPayloads, type);
}

/** Parses a server frame's payload for its type; returns the zod error on mismatch. */
export function parseServerPayload<T extends ServerMessageType>(type: T, payload: unknown) {
  return (serverPayloads[type] as z.ZodTypeAny).safeParse(payload) as z.SafeParseReturnType<unknown, ServerPayload<T>>;
}
