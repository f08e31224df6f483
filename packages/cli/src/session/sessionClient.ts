import { randomUUID } from 'node:crypto';
import {
  type ClientMessageType,
  type ClientPayload,
  clientFrame,
  type ErrorCode,
  isErrorCode,
  isServerMessageType,
  MAX_FILE_FRAME_BYTES,
  maxFrameBytes,
  PROTOCOL_VERSION,
  parseServerPayload,
  readFrame,
  type ServerMessage,
} from '@codevf/protocol';
import WebSocket from 'ws';
import { CodevfError } from '../core/errors';
import { type BackoffOptions, createBackoff } from './backoff';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'reconnecting'; attempt: number; maxAttempts: number; delayMs: number; reason: string }
  | { kind: 'closed' }
  | { kind: 'failed'; error: CodevfError };

export interface SessionClientOptions {
  /** `ws(s)://host/v1/tasks/:id/ws`. */
  url: string;
  accessToken: () => Promise<string> | string;
  /** Called once when the server refuses the token; the next attempt uses the new one. */
  refreshAccessToken?: () => Promise<string>;
  /** Highest seq already seen (resume). Events at or below it are never delivered again. */
  lastSeq?: number;
  /** Consecutive failed attempts before giving up with E_UNREACHABLE. */
  maxReconnectAttempts?: number;
  backoff?: BackoffOptions;
  /** Ping interval; a peer that answers nothing for two intervals is treated as gone. */
  heartbeatMs?: number;
  handshakeTimeoutMs?: number;
  /**
   * Most messages sent and not yet acknowledged. The server refuses a peer with too many in
   * flight (E_RATE_LIMITED); a command streaming output would hit that, so the rest waits here.
   */
  maxInFlight?: number;
}

export interface SentMessage {
  id: string;
  /** Resolves with the seq the server stored it under (null for unpersisted frames). */
  acked: Promise<number | null>;
}

interface Pending {
  text: string;
  bytes: number;
  /** Written to the current socket (reset on reconnect: everything unacknowledged goes again). */
  sent: boolean;
  resolve: (seq: number | null) => void;
  reject: (err: CodevfError) => void;
}

type Listener<T> = (value: T) => void;

/** Codes after which retrying cannot help: the task or the login is not usable. */
const FATAL_CODES = new Set<ErrorCode>(['E_FORBIDDEN', 'E_NOT_FOUND', 'E_PROTOCOL_VERSION', 'E_VALIDATION']);
const FATAL_STATUS: Record<number, ErrorCode> = { 403: 'E_FORBIDDEN', 404: 'E_NOT_FOUND', 426: 'E_PROTOCOL_VERSION' };

/**
 * The customer's end of a live session socket (docs/PROTOCOL.md §3). It hides disconnects from the
 * rest of the CLI: every message sent gets a unique `id` and stays in an outbox until the
 * server acknowledges it; after a reconnect the client says `hello {lastSeq}` and re-sends
 * the outbox with the original ids, so the server stores each message once and the client
 * sees each persisted event once, in seq order.
 */
export function createSessionClient(options: SessionClientOptions) {
  const maxAttempts = options.maxReconnectAttempts ?? 8;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxInFlight = options.maxInFlight ?? 64;
  const backoff = createBackoff(options.backoff);
  const frameListeners = new Set<Listener<ServerMessage>>();
  const stateListeners = new Set<Listener<ConnectionState>>();
  const ackListeners = new Set<Listener<{ id: string; seq: number | null }>>();
  const outbox = new Map<string, Pending>();
  const drainWaiters = new Set<() => void>();

  let lastSeq = options.lastSeq ?? 0;
  let socket: WebSocket | null = null;
  let welcomed = false;
  let attempt = 0;
  let refreshedThisRound = false;
  let stopped = false;
  let everConnected = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let pumpTimer: NodeJS.Timeout | undefined;
  let state: ConnectionState = { kind: 'connecting' };

  function setState(next: ConnectionState) {
    state = next;
    for (const l of stateListeners) l(next);
  }

  function emitFrame(f: ServerMessage) {
    for (const l of frameListeners) l(f);
  }

  function fail(error: CodevfError) {
    if (stopped) return;
    stopped = true;
    clearTimeout(retryTimer);
    clearTimeout(pumpTimer);
    socket?.terminate();
    rejectAll(error);
    setState({ kind: 'failed', error });
  }

  function rejectAll(error: CodevfError) {
    for (const [id, p] of outbox) {
      outbox.delete(id);
      p.reject(error);
    }
    notifyDrain();
  }

  function notifyDrain() {
    if (outbox.size > 0) return;
    for (const w of drainWaiters) w();
    drainWaiters.clear();
  }

  /** Writes unsent messages, oldest first, while the in-flight window has room. */
  function pump() {
    const ws = socket;
    if (!welcomed || !ws || ws.readyState !== WebSocket.OPEN) return;
    let inFlight = 0;
    for (const p of outbox.values()) if (p.sent) inFlight++;
    for (const p of outbox.values()) {
      if (inFlight >= maxInFlight) break;
      if (p.sent) continue;
      ws.send(p.text);
      p.sent = true;
      inFlight++;
    }
  }

  function scheduleReconnect(reason: string) {
    if (stopped) return;
    welcomed = false;
    attempt += 1;
    if (attempt > maxAttempts) {
      fail(
        new CodevfError(
          'E_UNREACHABLE',
          everConnected
            ? `Lost the connection to the CodeVF server and could not reconnect after ${maxAttempts} attempts (${reason}).`
            : `Could not connect to the CodeVF server after ${maxAttempts} attempts (${reason}).`,
        ),
      );
      return;
    }
    const delayMs = backoff.delay(attempt);
    setState({ kind: 'reconnecting', attempt, maxAttempts, delayMs, reason });
    retryTimer = setTimeout(() => void open(), delayMs);
  }

  async function open() {
    if (stopped) return;
    let token: string;
    try {
      token = await options.accessToken();
    } catch (err) {
      fail(err instanceof CodevfError ? err : new CodevfError('E_NOT_LOGGED_IN', String(err)));
      return;
    }
    if (stopped) return;
    const ws = new WebSocket(options.url, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      // Accept frames somewhat larger than the contract's limit; the server is the one that
      // enforces it, and refusing a replayed event here would lose it.
      maxPayload: MAX_FILE_FRAME_BYTES + 64 * 1024,
    });
    socket = ws;
    let down = false;
    let alive = true;
    let heartbeat: NodeJS.Timeout | undefined;

    const goDown = (reason: string, after?: () => void) => {
      if (down) return;
      down = true;
      clearInterval(heartbeat);
      if (socket === ws) socket = null;
      ws.removeAllListeners();
      ws.on('error', () => {});
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      if (after) after();
      else scheduleReconnect(reason);
    };

    ws.on('unexpected-response', (req, res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        req.destroy();
        const code = problemCode(Buffer.concat(chunks).toString('utf8'));
        goDown(`HTTP ${status}`, () => onRefused(status, code));
      });
      res.on('error', () => goDown(`HTTP ${status}`));
    });
    ws.on('open', () => {
      ws.send(JSON.stringify(clientFrame('hello', { protocolVersion: PROTOCOL_VERSION, lastSeq })));
      heartbeat = setInterval(() => {
        if (!alive) {
          goDown('no answer to heartbeat');
          return;
        }
        alive = false;
        ws.ping();
      }, heartbeatMs);
      heartbeat.unref();
    });
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('ping', () => {
      alive = true;
    });
    ws.on('message', (data) => {
      alive = true;
      onMessage(String(data));
    });
    ws.on('error', (err) => goDown(err.message || 'socket error'));
    ws.on('close', (code, reason) => goDown(`closed (${code}${reason.length ? ` ${reason}` : ''})`));
  }

  function onRefused(status: number, code: ErrorCode | null) {
    if (status === 401) {
      if (options.refreshAccessToken && !refreshedThisRound) {
        refreshedThisRound = true;
        options.refreshAccessToken().then(
          () => void open(),
          (err) =>
            fail(err instanceof CodevfError ? err : new CodevfError('E_UNAUTHORIZED', 'The login was rejected.')),
        );
        return;
      }
      fail(new CodevfError(code === 'E_NOT_LOGGED_IN' ? code : 'E_UNAUTHORIZED', 'The server rejected the login.'));
      return;
    }
    const fatal = code && FATAL_CODES.has(code) ? code : FATAL_STATUS[status];
    if (fatal) {
      fail(new CodevfError(fatal, `The server refused the session (HTTP ${status}).`));
      return;
    }
    scheduleReconnect(`HTTP ${status}`);
  }

  function onMessage(text: string) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    const envelope = readFrame(raw);
    if (!envelope.ok || !isServerMessageType(envelope.frame.type)) return;
    const type = envelope.frame.type;
    const parsed = parseServerPayload(type, envelope.frame.payload);
    if (!parsed.success) return;
    const f = { ...envelope.frame, type, payload: parsed.data } as ServerMessage;

    switch (f.type) {
      case 'welcome': {
        welcomed = true;
        everConnected = true;
        attempt = 0;
        refreshedThisRound = false;
        setState({ kind: 'connected' });
        emitFrame(f);
        // Re-send everything not yet acknowledged, in the order it was first sent, with the
        // original ids: the server answers a known id with its original ack.
        for (const p of outbox.values()) p.sent = false;
        pump();
        return;
      }
      case 'ack': {
        const { id, seq } = f.payload;
        const p = outbox.get(id);
        if (p) {
          outbox.delete(id);
          p.resolve(seq);
        }
        for (const l of ackListeners) l({ id, seq });
        notifyDrain();
        pump();
        return;
      }
      case 'error': {
        const { id, code, message } = f.payload;
        const p = id ? outbox.get(id) : undefined;
        if (id && p && code === 'E_RATE_LIMITED') {
          // Not stored: send it again in a moment (the window normally prevents this).
          p.sent = false;
          clearTimeout(pumpTimer);
          pumpTimer = setTimeout(pump, 250);
          return;
        }
        if (id && p) {
          outbox.delete(id);
          p.reject(new CodevfError(code, message));
          notifyDrain();
          pump();
        }
        emitFrame(f);
        if (!id) {
          if (code === 'E_UNAUTHORIZED') {
            // The token expired mid-session: reconnecting runs the refresh path.
            return;
          }
          if (FATAL_CODES.has(code)) fail(new CodevfError(code, message));
        }
        return;
      }
      default: {
        if (f.seq !== undefined) {
          if (f.seq <= lastSeq) return; // already delivered before a reconnect
          lastSeq = f.seq;
        }
        emitFrame(f);
      }
    }
  }

  return {
    /** Opens the socket; failures are reported through `onState` ({kind: 'failed'}). */
    start() {
      void open();
    },

    send<T extends ClientMessageType>(type: T, payload: ClientPayload<T>): SentMessage {
      const id = randomUUID();
      const text = JSON.stringify({ type, timestamp: new Date().toISOString(), payload, id });
      const bytes = Buffer.byteLength(text);
      let acked: Promise<number | null>;
      if (stopped) {
        acked = Promise.reject(
          state.kind === 'failed' ? state.error : new CodevfError('E_CANCELLED', 'The session is closed.'),
        );
      } else if (bytes > maxFrameBytes(type)) {
        acked = Promise.reject(new CodevfError('E_TOO_LARGE', `A ${type} frame of ${bytes} bytes is over the limit.`));
      } else {
        acked = new Promise((resolve, reject) => {
          outbox.set(id, { text, bytes, sent: false, resolve, reject });
        });
        pump();
      }
      // A caller that only cares about ordering may ignore the result; never crash on it.
      acked.catch(() => {});
      return { id, acked };
    },

    onFrame(l: Listener<ServerMessage>) {
      frameListeners.add(l);
      return () => frameListeners.delete(l);
    },
    onState(l: Listener<ConnectionState>) {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    onAck(l: Listener<{ id: string; seq: number | null }>) {
      ackListeners.add(l);
      return () => ackListeners.delete(l);
    },

    get state() {
      return state;
    },
    get lastSeq() {
      return lastSeq;
    },
    /** Bytes sent (or waiting to be sent) that the server has not acknowledged yet. */
    unackedBytes() {
      let n = 0;
      for (const p of outbox.values()) n += p.bytes;
      return n;
    },
    unackedCount() {
      return outbox.size;
    },

    /** Resolves when every sent message is acknowledged, or after `timeoutMs`. */
    drain(timeoutMs: number): Promise<boolean> {
      if (outbox.size === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(t);
          resolve(true);
        };
        const t = setTimeout(() => {
          drainWaiters.delete(done);
          resolve(false);
        }, timeoutMs);
        drainWaiters.add(done);
      });
    },

    /** Drops the socket now (as a network failure would) and reconnects; used by tests. */
    dropConnection() {
      socket?.terminate();
    },

    close() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(pumpTimer);
      const ws = socket;
      socket = null;
      if (ws) {
        ws.removeAllListeners();
        ws.on('error', () => {});
        if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'bye');
        else ws.terminate();
      }
      rejectAll(new CodevfError('E_CANCELLED', 'The session is closed.'));
      setState({ kind: 'closed' });
    },
  };
}

export type SessionClient = ReturnType<typeof createSessionClient>;

function problemCode(body: string): ErrorCode | null {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return isErrorCode(code) ? code : null;
  } catch {
    return null;
  }
}

/** `http://host` → `ws://host/v1/tasks/:id/ws` (and https → wss). */
export function sessionUrl(baseUrl: string, taskId: string): string {
  const url = new URL(`/v1/tasks/${encodeURIComponent(taskId)}/ws`, baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
