import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import {
  type BrowserWebSocketConstructor,
  browserTransport,
  type Clock,
  createBackoff,
  createLiveClient,
  type LiveClient,
  LiveClientError,
  type LiveClientOptions,
  liveSessionUrl,
} from '../src/client';
import type { Frame } from '../src/frame';

// A real WebSocket server scripted per test stands in for the task's session endpoint; the
// client talks to it through Node's standard WebSocket, the same API a browser has.
interface Conn {
  ws: WsSocket;
  frames: Record<string, unknown>[];
  next(): Promise<Record<string, unknown>>;
}

let wss: WebSocketServer;
let url: string;
let conns: Conn[];
let waiters: ((c: Conn) => void)[];
let client: LiveClient<Frame, LiveClientError> | null;

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
  client?.close();
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
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A clock whose timers fire only when the test advances it (the client's timers, never the test's). */
function manualClock(): Clock & { advance(ms: number): void } {
  const timers: { fn: () => void; at: number }[] = [];
  let now = 0;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { fn, at: now + ms };
      timers.push(t);
      return t;
    },
    clearTimeout: (h) => {
      const i = timers.indexOf(h as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
  };
}

type Kind = 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

function makeClient(overrides: Partial<LiveClientOptions<Frame, LiveClientError>> = {}) {
  const events: Frame[] = [];
  const states: Kind[] = [];
  const errors: string[] = [];
  let n = 0;
  const stateWaiters: { state: Kind; resolve: () => void }[] = [];
  const c = createLiveClient<Frame, LiveClientError>({
    url,
    transport: browserTransport(WebSocket as unknown as BrowserWebSocketConstructor),
    createError: (code, message) => new LiveClientError(code, message),
    backoff: { initialMs: 5, maxMs: 5 },
    maxReconnectAttempts: Number.POSITIVE_INFINITY,
    newId: () => `m${++n}`,
    ...overrides,
  });
  client = c;
  c.onFrame((f) => {
    if (f.seq !== undefined) events.push(f);
  });
  c.onState((s) => {
    states.push(s.kind);
    for (const w of stateWaiters.filter((x) => x.state === s.kind)) {
      stateWaiters.splice(stateWaiters.indexOf(w), 1);
      w.resolve();
    }
  });
  c.onServerError((e) => errors.push(`${e.code}: ${e.message}`));
  const waitFor = (state: Kind) =>
    states.includes(state) ? Promise.resolve() : new Promise<void>((resolve) => stateWaiters.push({ state, resolve }));
  const waitForEvents = async (count: number) => {
    while (events.length < count) await pause(2);
  };
  return { events, states, errors, waitFor, waitForEvents, client: c };
}

describe('live client', () => {
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
    c.ws.send(JSON.stringify({ type: 'x', timestamp: 't', payload: [], seq: 3 }));
    c.ws.send(JSON.stringify({ type: 'x', timestamp: 't', payload: {}, seq: 1.5 }));
    await t.waitForEvents(2);
    await t.waitFor('connected');
    expect(t.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'engineer_message'],
      [2, 'customer_message'],
    ]);
    expect(t.states.slice(0, 2)).toEqual(['connecting', 'connected']);
  });

  it('resolves a send with the ack seq and rejects one the server refuses', async () => {
    const { t, c } = await startedAndHello();
    welcome(c);
    await t.waitFor('connected');
    const ok = t.client.send('engineer_message', { text: 'hello' });
    const sent = await c.next();
    expect(sent).toMatchObject({ type: 'engineer_message', id: 'm1', payload: { text: 'hello' } });
    send(c, { type: 'ack', payload: { id: 'm1', seq: 7 } });
    await expect(ok.acked).resolves.toBe(7);

    const bad = t.client.send('request_command', { command: 'x'.repeat(10), reason: '' });
    await c.next();
    send(c, { type: 'error', payload: { code: 'E_TOO_LARGE', message: 'frame too large', id: 'm2' } });
    await expect(bad.acked).rejects.toMatchObject({ code: 'E_TOO_LARGE', message: 'frame too large' });
    expect(t.client.unackedCount()).toBe(0);
    // An error answering one of our messages is the sender's to show, not a server error.
    expect(t.errors).toEqual([]);
  });

  it('refuses a frame over the size limit without sending it', async () => {
    const { t, c } = await startedAndHello({ maxFrameBytes: () => 100 });
    welcome(c);
    await t.waitFor('connected');
    const big = t.client.send('engineer_message', { text: 'é'.repeat(60) });
    await expect(big.acked).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
    const small = t.client.send('engineer_message', { text: 'ok' });
    expect(await c.next()).toMatchObject({ id: small.id });
  });

  it('reconnects after a drop, resumes from the last seq and resends unacknowledged messages', async () => {
    const { t, c: c1 } = await startedAndHello();
    welcome(c1);
    send(c1, { type: 'engineer_message', seq: 1, payload: { text: 'one' } });
    await t.waitForEvents(1);
    const pending = t.client.send('engineer_message', { text: 'are you there?' });
    expect(await c1.next()).toMatchObject({ id: 'm1' });

    const conn = nextConnection();
    c1.ws.terminate(); // dropped before the ack
    const c2 = await conn;
    expect(await c2.next()).toMatchObject({ type: 'hello', payload: { lastSeq: 1 } });
    expect(t.states).toContain('reconnecting');
    welcome(c2, 1);
    // The same id again: the server answers with the original ack, nothing is stored twice.
    expect(await c2.next()).toMatchObject({ type: 'engineer_message', id: 'm1', payload: { text: 'are you there?' } });
    send(c2, { type: 'ack', payload: { id: 'm1', seq: 2 } });
    await expect(pending.acked).resolves.toBe(2);
    // A replay that overlaps what was delivered is not delivered twice.
    send(c2, { type: 'engineer_message', seq: 1, payload: { text: 'one' } });
    send(c2, { type: 'engineer_message', seq: 2, payload: { text: 'are you there?' } });
    await t.waitForEvents(2);
    expect(t.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(t.client.lastSeq).toBe(2);
    expect(t.states.at(-1)).toBe('connected');
  });

  it('queues a message sent while reconnecting and delivers it after the welcome', async () => {
    const { t, c: c1 } = await startedAndHello();
    welcome(c1);
    await t.waitFor('connected');
    const conn = nextConnection();
    c1.ws.terminate();
    await t.waitFor('reconnecting');
    const queued = t.client.send('engineer_message', { text: 'queued' });
    const c2 = await conn;
    expect((await c2.next()).type).toBe('hello');
    welcome(c2);
    expect(await c2.next()).toMatchObject({ id: 'm1', payload: { text: 'queued' } });
    send(c2, { type: 'ack', payload: { id: 'm1', seq: 1 } });
    await expect(queued.acked).resolves.toBe(1);
  });

  it('gives up on a protocol version refusal instead of reconnecting', async () => {
    const { t, c } = await startedAndHello();
    send(c, { type: 'error', payload: { code: 'E_PROTOCOL_VERSION', message: 'Update the console' } });
    c.ws.close(1002, 'unsupported protocol version');
    await t.waitFor('failed');
    await pause(30);
    expect(conns).toHaveLength(1);
    expect(t.client.state).toMatchObject({ kind: 'failed', error: { code: 'E_PROTOCOL_VERSION' } });
  });

  it('gives up when the server refuses the hello (e.g. a resume point past the log)', async () => {
    const { t, c } = await startedAndHello();
    send(c, { type: 'error', payload: { code: 'E_VALIDATION', message: 'lastSeq 9 is ahead of this task' } });
    await t.waitFor('failed');
    expect(t.states).not.toContain('connected');
  });

  it('gives up when the server closes with a policy violation (no such task)', async () => {
    const conn = nextConnection();
    const t = makeClient();
    t.client.start();
    const c = await conn;
    c.ws.close(1008, 'no such task');
    await t.waitFor('failed');
    await pause(30);
    expect(conns).toHaveLength(1);
  });

  it('gives up after 1009: the frame over the hard cap would only be sent again', async () => {
    const { t, c } = await startedAndHello();
    welcome(c);
    await t.waitFor('connected');
    const pending = t.client.send('engineer_message', { text: 'huge' });
    c.ws.close(1009, 'too big');
    await t.waitFor('failed');
    await expect(pending.acked).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
    await pause(30);
    expect(conns).toHaveLength(1);
  });

  it('gives up, without refreshing, when the server closes because the login or the access ended (4001, 4003)', async () => {
    for (const [code, reason, error] of [
      [4001, 'login revoked', 'E_UNAUTHORIZED'],
      [4003, 'account disabled', 'E_FORBIDDEN'],
    ] as const) {
      conns.length = 0;
      let refreshed = 0;
      const { t, c } = await startedAndHello({
        refreshAccessToken: async () => {
          refreshed++;
        },
      });
      welcome(c);
      await t.waitFor('connected');
      const pending = t.client.send('engineer_message', { text: 'hi' });
      c.ws.close(code, reason);
      await t.waitFor('failed');
      expect(t.client.state).toMatchObject({ kind: 'failed', error: { code: error, message: reason } });
      await expect(pending.acked).rejects.toMatchObject({ code: error });
      await pause(30);
      expect(conns).toHaveLength(1);
      expect(refreshed).toBe(0);
      t.client.close();
    }
  });

  it('resumes after the server sheds it as too far behind (1013) or shuts down (1001)', async () => {
    const { t, c: c1 } = await startedAndHello();
    welcome(c1, 0);
    send(c1, { type: 'engineer_message', seq: 1, payload: { text: 'one' } });
    await t.waitForEvents(1);
    const second = nextConnection();
    c1.ws.close(1013, 'too far behind; reconnect with lastSeq');
    const c2 = await second;
    expect(await c2.next()).toMatchObject({ type: 'hello', payload: { lastSeq: 1 } });
    welcome(c2, 1);
    await t.waitFor('connected');
    const third = nextConnection();
    c2.ws.close(1001, 'server shutting down');
    const c3 = await third;
    expect(await c3.next()).toMatchObject({ type: 'hello', payload: { lastSeq: 1 } });
  });

  it('drops and retries an attempt the server never welcomes', async () => {
    // The handshake timeout and the backoff run on the injected clock: the attempt is given up
    // when the test says its time is up, not when a loaded machine took 30 ms to connect.
    const clock = manualClock();
    const { t, c } = await startedAndHello({ clock, handshakeTimeoutMs: 30 });
    const second = nextConnection();
    clock.advance(29);
    expect(t.client.state.kind).toBe('connecting');
    clock.advance(1);
    expect(t.client.state).toMatchObject({ kind: 'reconnecting', attempt: 1, reason: 'no welcome from the server' });
    if (c.ws.readyState !== c.ws.CLOSED) await once(c.ws, 'close');
    clock.advance(5);
    const c2 = await second;
    expect((await c2.next()).type).toBe('hello');
    expect(conns).toHaveLength(2);
  });

  it('stops reconnecting when access is gone', async () => {
    const { t, c } = await startedAndHello({ beforeReconnect: async () => false });
    welcome(c);
    c.ws.terminate();
    await t.waitFor('failed');
    expect(conns).toHaveLength(1);
    expect(t.client.state).toMatchObject({ kind: 'failed', error: { code: 'E_FORBIDDEN' } });
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
    await pause(30);
    expect(conns).toHaveLength(1);
    await expect(t.client.send('engineer_message', { text: 'late' }).acked).rejects.toMatchObject({
      code: 'E_CONFLICT',
    });
  });

  it('relays server errors that answer none of its messages', async () => {
    const { t, c } = await startedAndHello();
    welcome(c);
    send(c, { type: 'error', payload: { code: 'E_CONFLICT', message: 'request already decided' } });
    while (t.errors.length === 0) await pause(2);
    expect(t.errors).toEqual(['E_CONFLICT: request already decided']);
  });

  it('waits for the backoff on the injected clock before reconnecting', async () => {
    const clock = manualClock();
    const { t, c } = await startedAndHello({ clock, backoff: { initialMs: 1_000, maxMs: 1_000, random: () => 1 } });
    welcome(c);
    await t.waitFor('connected');
    c.ws.terminate();
    await t.waitFor('reconnecting');
    expect(t.client.state).toMatchObject({ kind: 'reconnecting', attempt: 1, delayMs: 1_000 });
    await pause(30);
    expect(conns).toHaveLength(1);
    const second = nextConnection();
    clock.advance(1_000);
    expect((await (await second).next()).type).toBe('hello');
  });
});

describe('backoff', () => {
  it('grows exponentially up to the cap, with jitter in the upper half of each window', () => {
    const low = createBackoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    const high = createBackoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map((n) => low.delay(n))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => high.delay(n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe('liveSessionUrl', () => {
  it('maps http to ws and https to wss, and encodes the task id', () => {
    expect(liveSessionUrl('http://127.0.0.1:7878', 'abc')).toBe('ws://127.0.0.1:7878/v1/tasks/abc/ws');
    expect(liveSessionUrl('https://api.codevf.com/', 'a/b')).toBe('wss://api.codevf.com/v1/tasks/a%2Fb/ws');
  });
});
