import type { ClientMessageType, ClientPayload, ServerPayload } from '@codevf/protocol';
import { PROTOCOL_VERSION } from '@codevf/protocol/constants';
import { isFatalClose } from '@codevf/protocol/shared';

/**
 * The console's end of the live-session WebSocket (docs/PROTOCOL.md §3).
 *
 * - Says `hello {protocolVersion, lastSeq}` on every (re)connect, so the server replays only
 *   what the view has not applied yet: resuming loses nothing and repeats nothing.
 * - Every message sent carries an `id` and stays in an outbox until the server acks it; after a
 *   reconnect the outbox is sent again with the same ids, and the server's idempotency turns a
 *   duplicate into the original ack (a chat line is never stored twice).
 * - Reconnects with backoff until the session ends, the page stops it, or the server refuses
 *   for good (version, auth, access).
 */

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed' | 'failed';

/** A frame from the server, after an envelope check. Payloads are checked by their consumer. */
export interface ServerFrame {
  type: string;
  timestamp: string;
  payload: Record<string, unknown>;
  seq?: number;
  id?: string;
}

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

export interface LiveSocketOptions {
  url: string;
  /** Defaults to the browser's WebSocket; tests pass the `ws` package. */
  createSocket?: SocketFactory;
  /** The highest seq the view has applied; sent in `hello`. */
  lastSeq: () => number;
  onEvent: (frame: ServerFrame & { seq: number }) => void;
  onState: (state: ConnectionState, detail?: { attempt: number; retryInMs?: number; reason?: string }) => void;
  onWelcome?: (welcome: ServerPayload<'welcome'>) => void;
  /** Server `error` frames that answer no message of ours (e.g. a refused frame). */
  onServerError?: (code: string, message: string) => void;
  /** Delay before reconnect attempt `n` (1-based). */
  backoff?: (attempt: number) => number;
  /** Asked before each reconnect; resolve false to give up (e.g. access was revoked). */
  shouldReconnect?: () => Promise<boolean>;
  newId?: () => string;
}

export class SendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

interface Pending {
  id: string;
  data: string;
  resolve: (ack: { seq: number | null }) => void;
  reject: (err: Error) => void;
}

const OPEN = 1;
const FATAL_ERRORS = new Set(['E_PROTOCOL_VERSION', 'E_UNAUTHORIZED', 'E_FORBIDDEN', 'E_NOT_FOUND']);

export function defaultBackoff(attempt: number): number {
  // 0.5 s, 1 s, 2 s, 4 s, then 8 s; jitter keeps many consoles from reconnecting in lockstep.
  const base = Math.min(500 * 2 ** (attempt - 1), 8_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function randomId(): string {
  // crypto.getRandomValues works outside secure contexts too (randomUUID does not).
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function parseServerFrame(data: unknown): ServerFrame | null {
  if (typeof data !== 'string' || data.length > 2_000_000) return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const f = value as Record<string, unknown>;
  if (typeof f.type !== 'string' || !f.payload || typeof f.payload !== 'object' || Array.isArray(f.payload))
    return null;
  if (f.seq !== undefined && !(Number.isInteger(f.seq) && (f.seq as number) > 0)) return null;
  return {
    type: f.type,
    timestamp: typeof f.timestamp === 'string' ? f.timestamp : new Date().toISOString(),
    payload: f.payload as Record<string, unknown>,
    ...(f.seq !== undefined ? { seq: f.seq as number } : {}),
    ...(typeof f.id === 'string' ? { id: f.id } : {}),
  };
}

export function liveSocketUrl(taskId: string, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/v1/tasks/${encodeURIComponent(taskId)}/ws`;
}

export class LiveSocket {
  private socket: SocketLike | null = null;
  private welcomed = false;
  private stopped = false;
  private ended = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly outbox: Pending[] = [];
  private readonly createSocket: SocketFactory;

  constructor(private readonly options: LiveSocketOptions) {
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Closes for good: no reconnect; unacknowledged sends are rejected. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close(1000, 'closed by the console');
    }
    for (const p of this.outbox.splice(0)) p.reject(new SendError('E_CANCELLED', 'The connection was closed.'));
    this.options.onState('closed', { attempt: this.attempt });
  }

  /** Number of messages sent but not yet acknowledged by the server. */
  get unacknowledged(): number {
    return this.outbox.length;
  }

  /** Sends a message; resolves with the server's ack (persisted `seq`), survives reconnects. */
  send<T extends ClientMessageType>(type: T, payload: ClientPayload<T>): Promise<{ seq: number | null }> {
    if (this.stopped || this.ended) return Promise.reject(new SendError('E_CONFLICT', 'The session is closed.'));
    const id = (this.options.newId ?? randomId)();
    const data = JSON.stringify({ type, timestamp: new Date().toISOString(), payload, id });
    return new Promise((resolve, reject) => {
      this.outbox.push({ id, data, resolve, reject });
      if (this.welcomed && this.socket?.readyState === OPEN) this.socket.send(data);
    });
  }

  private connect(): void {
    this.welcomed = false;
    this.options.onState(this.attempt === 0 ? 'connecting' : 'reconnecting', { attempt: this.attempt });
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.options.url);
    } catch {
      this.scheduleReconnect('could not open a connection');
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          type: 'hello',
          timestamp: new Date().toISOString(),
          payload: { protocolVersion: PROTOCOL_VERSION, lastSeq: this.options.lastSeq() },
        }),
      );
    };
    socket.onmessage = (ev) => this.onMessage(socket, ev.data);
    socket.onerror = () => {
      // A close event always follows; reconnecting is decided there.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.welcomed = false;
      if (this.stopped) return;
      if (this.ended) {
        this.options.onState('closed', { attempt: this.attempt });
        return;
      }
      if (isFatalClose(ev.code)) {
        this.fail(ev.reason || `The server closed the connection (${ev.code}).`);
        return;
      }
      this.scheduleReconnect(ev.reason || undefined);
    };
  }

  private onMessage(socket: SocketLike, data: unknown): void {
    const frame = parseServerFrame(typeof data === 'string' ? data : String(data));
    if (!frame || this.socket !== socket) return;
    const p = frame.payload;
    switch (frame.type) {
      case 'welcome':
        this.welcomed = true;
        this.attempt = 0;
        this.options.onWelcome?.(p as ServerPayload<'welcome'>);
        this.options.onState('live', { attempt: 0 });
        if (p.status === 'ended') this.ended = true;
        for (const pending of this.outbox) socket.send(pending.data);
        return;
      case 'ack': {
        const i = this.outbox.findIndex((x) => x.id === p.id);
        if (i >= 0) {
          const [pending] = this.outbox.splice(i, 1);
          pending?.resolve({ seq: typeof p.seq === 'number' ? p.seq : null });
        }
        return;
      }
      case 'error': {
        const code = typeof p.code === 'string' ? p.code : 'E_INTERNAL';
        const message = typeof p.message === 'string' ? p.message : 'The server refused the message.';
        const i = typeof p.id === 'string' ? this.outbox.findIndex((x) => x.id === p.id) : -1;
        if (i >= 0) {
          const [pending] = this.outbox.splice(i, 1);
          pending?.reject(new SendError(code, message));
          return;
        }
        // An error before the welcome answers our hello: the session cannot be joined as asked.
        if (FATAL_ERRORS.has(code) || !this.welcomed) {
          this.fail(message);
          return;
        }
        this.options.onServerError?.(code, message);
        return;
      }
      default:
        if (frame.seq === undefined) return;
        if (frame.type === 'session_end') this.ended = true;
        this.options.onEvent(frame as ServerFrame & { seq: number });
    }
  }

  private fail(reason: string): void {
    this.stopped = true;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close(1000);
    }
    for (const p of this.outbox.splice(0)) p.reject(new SendError('E_CANCELLED', reason));
    this.options.onState('failed', { attempt: this.attempt, reason });
  }

  private scheduleReconnect(reason?: string): void {
    this.attempt += 1;
    const delay = (this.options.backoff ?? defaultBackoff)(this.attempt);
    this.options.onState('reconnecting', { attempt: this.attempt, retryInMs: delay, ...(reason ? { reason } : {}) });
    this.timer = setTimeout(async () => {
      this.timer = null;
      if (this.stopped) return;
      if (this.options.shouldReconnect) {
        let ok = true;
        try {
          ok = await this.options.shouldReconnect();
        } catch {
          // Cannot tell (e.g. the server is down): keep trying.
        }
        if (this.stopped) return;
        if (!ok) {
          this.fail('You no longer have access to this session.');
          return;
        }
      }
      this.connect();
    }, delay);
  }
}
