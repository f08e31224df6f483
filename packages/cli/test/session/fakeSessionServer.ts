import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

interface StoredEvent {
  seq: number;
  type: string;
  timestamp: string;
  payload: Record<string, unknown>;
  id?: string;
}

/**
 * A tiny stand-in for the live-session endpoint, speaking just enough of docs/PROTOCOL.md §3 to
 * unit-test the client's resume logic: hello/welcome, seq numbering, replay after lastSeq,
 * ack with the original seq for a re-sent id. The real server is covered by the e2e tests.
 */
export async function startFakeSessionServer(options: { token?: string } = {}) {
  const token = options.token ?? 'good-token';
  const events: StoredEvent[] = [];
  const byClientId = new Map<string, number>();
  const received: Array<{ type: string; id?: string }> = [];
  const sockets = new Set<WebSocket>();
  let refuseWith: number | null = null;
  let helloCount = 0;
  let ackDelayMs = 0;
  let dropAcks = false;
  let rateLimitNext = false;
  let refuseNextWith: { code: string; message: string } | null = null;
  let silent = false;

  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  // Pongs by hand, so a test can make the server go silent (a dead peer for the heartbeat).
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  server.on('upgrade', (req, socket, head) => {
    if (refuseWith) {
      const body = JSON.stringify({ code: refuseWith === 401 ? 'E_UNAUTHORIZED' : 'E_INTERNAL' });
      socket.end(
        `HTTP/1.1 ${refuseWith} Nope\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      const body = JSON.stringify({ code: 'E_UNAUTHORIZED' });
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function broadcast(e: StoredEvent) {
    for (const s of sockets)
      s.send(JSON.stringify({ type: e.type, timestamp: e.timestamp, payload: e.payload, seq: e.seq }));
  }

  function append(type: string, payload: Record<string, unknown>, id?: string): StoredEvent {
    const e = { seq: events.length + 1, type, timestamp: new Date().toISOString(), payload, id };
    events.push(e);
    if (id) byClientId.set(id, e.seq);
    return e;
  }

  function onConnection(ws: WebSocket) {
    let hello = false;
    ws.on('ping', (data) => {
      if (!silent) ws.pong(data);
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; id?: string; payload: Record<string, unknown> };
      if (!hello) {
        if (msg.type !== 'hello') return ws.close(4400);
        hello = true;
        helloCount += 1;
        const lastSeq = Number(msg.payload.lastSeq ?? 0);
        ws.send(
          JSON.stringify({
            type: 'welcome',
            timestamp: new Date().toISOString(),
            payload: { taskId: 't1', status: 'active', role: 'customer', lastSeq: events.length },
          }),
        );
        for (const e of events)
          if (e.seq > lastSeq)
            ws.send(JSON.stringify({ type: e.type, timestamp: e.timestamp, payload: e.payload, seq: e.seq }));
        sockets.add(ws);
        return;
      }
      received.push({ type: msg.type, id: msg.id });
      if (rateLimitNext) {
        rateLimitNext = false;
        ws.send(
          JSON.stringify({
            type: 'error',
            timestamp: new Date().toISOString(),
            payload: { code: 'E_RATE_LIMITED', message: 'slow down', id: msg.id },
          }),
        );
        return;
      }
      if (refuseNextWith) {
        const { code, message } = refuseNextWith;
        refuseNextWith = null;
        ws.send(
          JSON.stringify({
            type: 'error',
            timestamp: new Date().toISOString(),
            payload: { code, message, id: msg.id },
          }),
        );
        return;
      }
      if (msg.type === 'approve_command' && msg.payload.requestId === 'expired') {
        ws.send(
          JSON.stringify({
            type: 'error',
            timestamp: new Date().toISOString(),
            payload: { code: 'E_REQUEST_EXPIRED', message: 'expired', id: msg.id },
          }),
        );
        return;
      }
      const known = msg.id ? byClientId.get(msg.id) : undefined;
      const ack = (seq: number) => {
        if (dropAcks) return;
        const send = () =>
          ws.readyState === WebSocket.OPEN &&
          ws.send(JSON.stringify({ type: 'ack', timestamp: new Date().toISOString(), payload: { id: msg.id, seq } }));
        if (ackDelayMs) setTimeout(send, ackDelayMs);
        else send();
      };
      if (known !== undefined) return ack(known);
      const e = append(msg.type, msg.payload, msg.id);
      ack(e.seq);
      broadcast(e);
    });
    ws.on('close', () => sockets.delete(ws));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `ws://127.0.0.1:${port}/v1/tasks/t1/ws`,
    events,
    received,
    get helloCount() {
      return helloCount;
    },
    /** Appends a server-side event (as an engineer or the server would) and broadcasts it. */
    emit(type: string, payload: Record<string, unknown>) {
      broadcast(append(type, payload));
    },
    /** Stores an event without telling connected clients (it only shows up on replay). */
    storeSilently(type: string, payload: Record<string, unknown>) {
      append(type, payload);
    },
    /** Sends raw text to every connected client (malformed-frame tests). */
    sendRaw(text: string) {
      for (const s of sockets) s.send(text);
    },
    dropAll() {
      for (const s of sockets) s.terminate();
      sockets.clear();
    },
    refuse(status: number | null) {
      refuseWith = status;
    },
    /** Answers the next message with E_RATE_LIMITED (not stored), as a busy server does. */
    rateLimitNext() {
      rateLimitNext = true;
    },
    /** Answers the next message with this error (not stored), as the server refuses a message. */
    refuseNext(code: string, message: string) {
      refuseNextWith = { code, message };
    },
    /** Stops answering pings, as a server that vanished without closing would. */
    setSilent(v: boolean) {
      silent = v;
    },
    setDropAcks(v: boolean) {
      dropAcks = v;
    },
    setAckDelay(ms: number) {
      ackDelayMs = ms;
    },
    async close() {
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
