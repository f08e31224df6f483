import type { OpenTransport } from './transport';

/** The part of the WHATWG WebSocket (browsers, Node 22+'s global) the transport uses. */
export interface BrowserWebSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type BrowserWebSocketConstructor = new (url: string) => BrowserWebSocket;

/**
 * A transport over the standard WebSocket. It cannot send a token (the browser sends the
 * session cookie), cannot see why an upgrade was refused (it closes with 1006, so a caller
 * checks access with `beforeReconnect`) and cannot ping (the browser answers the server's
 * pings by itself, so the server still drops a dead browser).
 */
export function browserTransport(
  WebSocketClass: BrowserWebSocketConstructor = (globalThis as { WebSocket?: BrowserWebSocketConstructor })
    .WebSocket as BrowserWebSocketConstructor,
): OpenTransport {
  return (url, events) => {
    const ws = new WebSocketClass(url);
    let done = false;
    const detach = () => {
      done = true;
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    };
    ws.onopen = () => events.onOpen();
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') events.onMessage(ev.data);
    };
    ws.onerror = () => {
      // A close event always follows; the client decides there.
    };
    ws.onclose = (ev) => {
      if (done) return;
      detach();
      events.onClose(ev.code, ev.reason);
    };
    return {
      send: (text) => ws.send(text),
      close(code, reason) {
        detach();
        ws.close(code, reason);
      },
      terminate() {
        detach();
        // A browser has no abrupt close; 1000 is the one code it always accepts.
        ws.close(1000, 'dropped');
      },
    };
  };
}
