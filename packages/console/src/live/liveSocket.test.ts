import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type ConnectionState, LiveSocket, parseServerFrame, type ServerFrame, type SocketLike } from './liveSocket';

// A real WebSocket server scripted per test stands in for the task's session endpoint.
interface Conn {
  ws: WebSocket;
  frames: Record<string, unknown>[];
  next(): Promise<Record<string, unknown>>;
}

let wss: WebSocketServer;
let url: string;
let conns: Conn[];
let waiters: ((c: Conn) => void)[];
let client: LiveSocket | null;

beforeEach(async () => {
  conns = [];
  waiters = [];
  client = null;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  wss.on('connection', (ws) => {
    const queue: Record<string, unknown>[] = [];
    const takers: ((f: Record<string, unknown>) => void)[] = [];
    const conn: Conn = {
      ws,
      frames: [],
      next: () =>
        new Promise((resolve) =>
          queue.length ? resolve(queue.shift() as Record<string, unknown>) : takers.push(resolve),
        ),
    };
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as Record<string, unknown>;
      conn.frames.push(f);
      const t = takers.shift();
      if (t) t(f);
      else queue.push(f);
    });
    conns.push(conn);
    waiters.shift()?.(conn);
  });
});

afterEach(async () => {
  client?.stop();
  for (const c of wss.clients) c.terminate();
  wss.close();
  await once(wss, 'close');
});

function nextConnection(): Promise<Conn> {
  return new Promise((resolve) => waiters.push(resolve));
}

/** Starts a client, accepts its connection and reads its hello frame. */
async function startedAndHello(options?: Parameters<typeof makeClient>[0]) {
  const conn = nextConnection();
  const t = makeClient(options);
  t.client.start();
  const c = await conn;
  await c.next();
  return { t, c };
}

const send = (c: Conn, frame: object) => c.ws.send(JSON.stringify({ timestamp: new Date().toISOString(), ...frame }));
const welcome = (c: Conn, lastSeq = 0, status = 'active') =>
  send(c, { type: 'welcome', payload: { taskId: 't1', status, role: 'engineer', lastSeq } });

function makeClient(overrides: Partial<ConstructorParameters<typeof LiveSocket>[0]> = {}) {
  const events: ServerFrame[] = [];
  const states: ConnectionState[] = [];
  const errors: string[] = [];
  let lastSeq = 0;
  let n = 0;
  const stateWaiters: { state: ConnectionState; resolve: () => void }[] = [];
  client = new LiveSocket({
    url,
    createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
    lastSeq: () => lastSeq,
    onEvent: (f) => {
      events.push(f);
      lastSeq = f.seq;
    },
    onState: (s) => {
      states.push(s);
      for (const w of stateWaiters.filter((x) => x.state === s)) {
        stateWaiters.splice(stateWaiters.indexOf(w), 1);
        w.resolve();
      }
    },
    onServerError: (code, message) => errors.push(`${code}: ${message}`),
    backoff: () => 5,
    newId: () => `m${++n}`,
    ...overrides,
  });
  const waitFor = (state: ConnectionState) =>
    states.includes(state) ? Promise.resolve() : new Promise<void>((resolve) => stateWaiters.push({ state, resolve }));
  const waitForEvents = async (count: number) => {
    while (events.length < count) await new Promise((r) => setTimeout(r, 2));
  };
  return { events, states, errors, waitFor, waitForEvents, client };
}

describe('LiveSocket', () => {
  it('says hello with the protocol version and delivers replayed events in order', async () => {
    const conn = nextConnection();
    const t = makeClient();
    t.client.start();
    const c = await conn;
    expect(await c.next()).toMatchObject({ type: 'hello', payload: { protocolVersion: 1, lastSeq: 0 } });
    welcome(c);
    send(c, { type: 'engineer_message', seq: 1, payload: { text: 'a' } });
    send(c, { type: 'customer_message', seq: 2, payload: { text: 'b' } });
    // Frames without seq (not persisted) and malformed frames are not events.
    send(c, { type: 'pong', payload: {} });
    c.ws.send('not json');
    await t.waitForEvents(2);
    await t.waitFor('live');
    expect(t.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'engineer_message'],
      [2, 'customer_message'],
    ]);
    expect(t.states.slice(0, 2)).toEqual(['connecting', 'live']);
  });

  it('resolves a send with the ack seq and rejects one the server refuses', async () => {
    const { t, c } = await startedAndHello();
    welcome(c);
    await t.waitFor('live');
    const ok = t.client.send('engineer_message', { text: 'hello' });
    const sent = await c.next();
    expect(sent).toMatchObject({ type: 'engineer_message', id: 'm1', payload: { text: 'hello' } });
    send(c, { type: 'ack', payload: { id: 'm1', seq: 7 } });
    await expect(ok).resolves.toEqual({ seq: 7 });

    const bad = t.client.send('request_command', { command: 'x'.repeat(10), reason: '' });
    await c.next();
    send(c, { type: 'error', payload: { code: 'E_TOO_LARGE', message: 'frame too large', id: 'm2' } });
    await expect(bad).rejects.toMatchObject({ code: 'E_TOO_LARGE', message: 'frame too large' });
    expect(t.client.unacknowledged).toBe(0);
  });

  it('reconnects after a drop, resumes from the last seq and resends unacknowledged messages', async () => {
    let conn = nextConnection();
    const t = makeClient();
    t.client.start();
    const c1 = await conn;
    await c1.next();
    welcome(c1);
    send(c1, { type: 'engineer_message', seq: 1, payload: { text: 'one' } });
    await t.waitForEvents(1);
    const pending = t.client.send('engineer_message', { text: 'are you there?' });
    expect(await c1.next()).toMatchObject({ id: 'm1' });

    conn = nextConnection();
    c1.ws.terminate(); // dropped before the ack
    const c2 = await conn;
    expect(await c2.next()).toMatchObject({ type: 'hello', payload: { lastSeq: 1 } });
    expect(t.states).toContain('reconnecting');
    welcome(c2, 1);
    // The same id again: the server answers with the original ack, nothing is stored twice.
    expect(await c2.next()).toMatchObject({ type: 'engineer_message', id: 'm1', payload: { text: 'are you there?' } });
    send(c2, { type: 'ack', payload: { id: 'm1', seq: 2 } });
    await expect(pending).resolves.toEqual({ seq: 2 });
    send(c2, { type: 'engineer_message', seq: 2, payload: { text: 'are you there?' } });
    await t.waitForEvents(2);
    expect(t.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(t.states.at(-1)).toBe('live');
  });

  it('queues a message sent while reconnecting and delivers it after the welcome', async () => {
    let conn = nextConnection();
    const t = makeClient();
    t.client.start();
    const c1 = await conn;
    await c1.next();
    welcome(c1);
    await t.waitFor('live');
    conn = nextConnection();
    c1.ws.terminate();
    await t.waitFor('reconnecting');
    const queued = t.client.send('engineer_message', { text: 'queued' });
    const c2 = await conn;
    expect((await c2.next()).type).toBe('hello');
    welcome(c2);
    expect(await c2.next()).toMatchObject({ id: 'm1', payload: { text: 'queued' } });
    send(c2, { type: 'ack', payload: { id: 'm1', seq: 1 } });
    await expect(queued).resolves.toEqual({ seq: 1 });
  });

  it('gives up on a protocol version refusal instead of reconnecting', async () => {
    const { t, c } = await startedAndHello();
    send(c, { type: 'error', payload: { code: 'E_PROTOCOL_VERSION', message: 'Update the console' } });
    await t.waitFor('failed');
    await new Promise((r) => setTimeout(r, 30));
    expect(conns).toHaveLength(1);
  });

  it('gives up when the server refuses the hello (e.g. a resume point past the log)', async () => {
    const { t, c } = await startedAndHello();
    send(c, { type: 'error', payload: { code: 'E_VALIDATION', message: 'lastSeq 9 is ahead of this task' } });
    await t.waitFor('failed');
    expect(t.states).not.toContain('live');
  });

  it('gives up when the server closes with a policy violation (bad Origin)', async () => {
    const conn = nextConnection();
    const t = makeClient();
    t.client.start();
    const c = await conn;
    c.ws.close(1008, 'origin not allowed');
    await t.waitFor('failed');
    await new Promise((r) => setTimeout(r, 30));
    expect(conns).toHaveLength(1);
  });

  it('stops reconnecting when access is gone', async () => {
    const { t, c } = await startedAndHello({ shouldReconnect: async () => false });
    welcome(c);
    c.ws.terminate();
    await t.waitFor('failed');
    expect(conns).toHaveLength(1);
  });

  it('does not reconnect after the session ended', async () => {
    const { t, c } = await startedAndHello();
    welcome(c);
    send(c, {
      type: 'session_end',
      seq: 1,
      payload: { endedBy: 'engineer', reason: '', summary: { engineer: 'M', durationSeconds: 1, creditsUsed: 0 } },
    });
    await t.waitForEvents(1);
    c.ws.close(1000);
    await t.waitFor('closed');
    await new Promise((r) => setTimeout(r, 30));
    expect(conns).toHaveLength(1);
    await expect(t.client.send('engineer_message', { text: 'late' })).rejects.toMatchObject({ code: 'E_CONFLICT' });
  });

  it('relays server errors that answer none of its messages', async () => {
    const { t, c } = await startedAndHello();
    welcome(c);
    send(c, { type: 'error', payload: { code: 'E_CONFLICT', message: 'request already decided' } });
    while (t.errors.length === 0) await new Promise((r) => setTimeout(r, 2));
    expect(t.errors).toEqual(['E_CONFLICT: request already decided']);
  });
});

describe('parseServerFrame', () => {
  it('accepts well-formed frames and rejects the rest', () => {
    expect(parseServerFrame('{"type":"x","timestamp":"t","payload":{},"seq":3}')).toEqual({
      type: 'x',
      timestamp: 't',
      payload: {},
      seq: 3,
    });
    expect(parseServerFrame('{"type":"x","payload":[]}')).toBeNull();
    expect(parseServerFrame('{"type":1,"payload":{}}')).toBeNull();
    expect(parseServerFrame('{"type":"x","payload":{},"seq":0}')).toBeNull();
    expect(parseServerFrame('{"type":"x","payload":{},"seq":1.5}')).toBeNull();
    expect(parseServerFrame('[]')).toBeNull();
    expect(parseServerFrame(42)).toBeNull();
  });
});
