import { act } from 'react';
import { afterEach, vi } from 'vitest';

/**
 * The live-session boundary of a page test: the browser's WebSocket replaced by a socket the
 * test plays the server on. It records what the page sends; `receive` delivers a server frame.
 */
export class FakeWebSocket {
  static sockets: FakeWebSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  readonly sent: { type: string; payload: Record<string, unknown>; id?: string }[] = [];
  closed = false;

  constructor(readonly url: string) {
    FakeWebSocket.sockets.push(this);
    queueMicrotask(() => this.onopen?.({}));
  }

  send(data: string) {
    this.sent.push(JSON.parse(data));
  }

  close() {
    this.closed = true;
  }

  /** A frame from the server (`seq` for persisted events). */
  receive(type: string, payload: object, seq?: number) {
    const frame = { type, timestamp: new Date(0).toISOString(), payload, ...(seq === undefined ? {} : { seq }) };
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** Acknowledges the last message the page sent with `type`, as stored under `seq`. */
  ack(type: string, seq: number | null) {
    const m = this.sent.findLast((f) => f.type === type);
    if (!m?.id) throw new Error(`nothing sent of type ${type}`);
    this.receive('ack', { id: m.id, seq });
  }
}

/** The server sends a frame on `socket` (the page's socket, which must be open), inside act(). */
export async function serverSays(socket: FakeWebSocket | undefined, type: string, payload: object, seq?: number) {
  if (!socket) throw new Error('no socket open');
  await act(async () => socket.receive(type, payload, seq));
}

/** Installs the fake as `WebSocket`; returns the list of sockets the page opened. */
export function fakeWebSocket(): FakeWebSocket[] {
  FakeWebSocket.sockets = [];
  vi.stubGlobal('WebSocket', FakeWebSocket);
  return FakeWebSocket.sockets;
}

afterEach(() => {
  vi.unstubAllGlobals();
});
