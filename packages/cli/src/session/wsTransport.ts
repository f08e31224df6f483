import { isErrorCode } from '@codevf/protocol';
import type { OpenTransport } from '@codevf/protocol/client';
import WebSocket from 'ws';

export interface WsTransportOptions {
  /** How long the TCP connect and HTTP upgrade may take. */
  handshakeTimeoutMs?: number;
  /** Largest frame accepted from the server. */
  maxPayload: number;
}

/**
 * The live client's transport over the `ws` package: it sends the bearer token, reads the
 * status and problem code of a refused upgrade, and pings.
 */
export function wsTransport(options: WsTransportOptions): OpenTransport {
  return (url, events, auth) => {
    const ws = new WebSocket(url, {
      headers: auth.token ? { authorization: `Bearer ${auth.token}` } : {},
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      maxPayload: options.maxPayload,
    });
    let done = false;
    const detach = () => {
      done = true;
      ws.removeAllListeners();
      ws.on('error', () => {});
    };
    const down = (code: number, reason: string) => {
      if (done) return;
      detach();
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      events.onClose(code, reason);
    };

    ws.on('unexpected-response', (req, res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        req.destroy();
        if (done) return;
        detach();
        events.onRefused(status, problemCode(Buffer.concat(chunks).toString('utf8')));
      });
      res.on('error', () => down(1006, `HTTP ${status}`));
    });
    ws.on('open', () => events.onOpen());
    ws.on('message', (data) => events.onMessage(String(data)));
    ws.on('pong', () => events.onAlive());
    ws.on('ping', () => events.onAlive());
    ws.on('error', (err) => down(1006, err.message || 'socket error'));
    ws.on('close', (code, reason) => down(code, reason.toString()));

    return {
      send: (text) => ws.send(text),
      close(code, reason) {
        detach();
        if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
        else ws.terminate();
      },
      terminate() {
        detach();
        ws.terminate();
      },
      ping() {
        try {
          ws.ping();
        } catch {
          // Closing already; its close event follows.
        }
      },
    };
  };
}

function problemCode(body: string) {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return isErrorCode(code) ? code : null;
  } catch {
    return null;
  }
}
