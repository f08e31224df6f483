/**
 * A small live-session client for tests: real WebSockets (`ws`) against a real server. It
 * records every frame it receives and lets a test wait for one, send messages and await their
 * ack or error. Every wait has a timeout so a broken server fails the test instead of hanging it.
 */
import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from '@codevf/protocol';
import WebSocket from 'ws';

export interface ReceivedFrame {
  type: string;
  timestamp: string;
  payload: Record<string, unknown>;
  seq?: number;
  id?: string;
}

export interface SessionAuth {
  /** Bearer access token (CLI style). */
  token?: string;
  /** Cookie header value (console style); pair it with `origin`. */
  cookie?: string;
  origin?: string;
}

export interface OpenOptions extends SessionAuth {
  baseUrl: string;
  taskId: string;
  lastSeq?: number;
  /** Send hello and wait for welcome (default true). */
  hello?: boolean;
  protocolVersion?: number;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT = 5_000;

export function wsUrl(baseUrl: string, taskId: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}/v1/tasks/${encodeURIComponent(taskId)}/ws`;
}

function headersOf(auth: SessionAuth): Record<string, string> {
  const h: Record<string, string> = {};
  if (auth.token) h.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) h.cookie = auth.cookie;
  if (auth.origin) h.origin = auth.origin;
  return h;
}

export class TestSession {
  readonly frames: ReceivedFrame[] = [];
  welcome?: ReceivedFrame;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters = new Set<() => void>();
  private isClosed = false;

  constructor(
    readonly ws: WebSocket,
    readonly timeoutMs = DEFAULT_TIMEOUT,
  ) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as ReceivedFrame);
      for (const w of [...this.waiters]) w();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        for (const w of [...this.waiters]) w();
        resolve({ code, reason: String(reason) });
      });
    });
    ws.on('error', () => {});
  }

  /** Persisted events received so far (frames with a seq), in arrival order. */
  get events(): ReceivedFrame[] {
    return this.frames.filter((f) => f.seq !== undefined);
  }

  seqs(): number[] {
    return this.events.map((f) => f.seq!);
  }

  /**
   * The persisted events after `afterSeq`, less the per-minute charges: the billing job runs
   * every second on real time, so a `billing_update` may land anywhere in a session.
   */
  relayed(afterSeq = 0): ReceivedFrame[] {
    return this.events.filter((f) => f.seq! > afterSeq && f.type !== 'billing_update');
  }

  /** The first frame ever received that matches (waits for it if needed). */
  waitFor(match: string | ((f: ReceivedFrame) => boolean), timeoutMs = this.timeoutMs): Promise<ReceivedFrame> {
    const pred = typeof match === 'string' ? (f: ReceivedFrame) => f.type === match : match;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(pred);
        if (found) {
          done();
          resolve(found);
        } else if (this.isClosed) {
          done();
          reject(new Error(`socket closed while waiting; got: ${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`timed out waiting for ${typeof match === 'string' ? match : 'a frame'}; got: ${this.describe()}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits until `n` persisted events have arrived. */
  async waitForEvents(n: number, timeoutMs = this.timeoutMs): Promise<ReceivedFrame[]> {
    await this.waitFor(() => this.events.length >= n, timeoutMs);
    return this.events;
  }

  /** Waits for the event with this seq. */
  waitForSeq(seq: number, timeoutMs = this.timeoutMs): Promise<ReceivedFrame> {
    return this.waitFor((f) => f.seq === seq, timeoutMs);
  }

  /** Sends a message (with a fresh id unless given); returns the id. */
  send(type: string, payload: unknown, id: string | null = randomUUID()): string {
    const frame: Record<string, unknown> = { type, timestamp: new Date().toISOString(), payload };
    if (id !== null) frame.id = id;
    this.ws.send(JSON.stringify(frame));
    return id ?? '';
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends and waits for the answer to that id: `{ack}` or `{error}`. */
  async request(
    type: string,
    payload: unknown,
    id: string = randomUUID(),
  ): Promise<{ ack?: { id: string; seq: number | null }; error?: { code: string; message: string } }> {
    this.send(type, payload, id);
    const answer = await this.waitFor(
      (f) => (f.type === 'ack' || f.type === 'error') && (f.payload as { id?: string }).id === id,
    );
    return answer.type === 'ack'
      ? { ack: answer.payload as { id: string; seq: number | null } }
      : { error: answer.payload as { code: string; message: string } };
  }

  /** Sends and expects an ack; returns the seq. */
  async expectAck(type: string, payload: unknown, id?: string): Promise<number> {
    const r = await this.request(type, payload, id);
    if (!r.ack) throw new Error(`${type} refused: ${JSON.stringify(r.error)}`);
    return r.ack.seq as number;
  }

  /** Sends and expects an error; returns its code. */
  async expectError(type: string, payload: unknown, id?: string): Promise<string> {
    const r = await this.request(type, payload, id);
    if (!r.error) throw new Error(`${type} was accepted (seq ${r.ack?.seq}) but should have been refused`);
    return r.error.code;
  }

  /** Frames of type error received so far. */
  errors(): { code: string; message: string; id?: string }[] {
    return this.frames
      .filter((f) => f.type === 'error')
      .map((f) => f.payload as { code: string; message: string; id?: string });
  }

  describe(): string {
    return this.frames
      .map((f) =>
        f.seq ? `${f.type}#${f.seq}` : f.type === 'error' ? `error(${(f.payload as { code: string }).code})` : f.type,
      )
      .join(', ');
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.ws.close();
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 2_000))]);
    if (!this.isClosed) this.ws.terminate();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** Connects, says hello and waits for welcome (unless `hello: false`). */
export async function openSession(options: OpenOptions): Promise<TestSession> {
  const ws = new WebSocket(wsUrl(options.baseUrl, options.taskId), {
    headers: headersOf(options),
    maxPayload: 64 * 1024 * 1024,
  });
  const session = new TestSession(ws, options.timeoutMs);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  if (options.hello !== false) {
    session.send(
      'hello',
      { protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION, lastSeq: options.lastSeq ?? 0 },
      null,
    );
    session.welcome = await session.waitFor((f) => f.type === 'welcome' || f.type === 'error');
    if (session.welcome.type === 'error') throw new Error(`hello refused: ${JSON.stringify(session.welcome.payload)}`);
  }
  return session;
}

/** Attempts an upgrade that should be refused; returns the HTTP status and problem body. */
export function refusedUpgrade(
  baseUrl: string,
  taskId: string,
  auth: SessionAuth,
): Promise<{ status: number; body: { code?: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(baseUrl, taskId), { headers: headersOf(auth) });
    ws.on('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('unexpected-response', (req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => {
        req.destroy();
        let body: { code?: string } = {};
        try {
          body = JSON.parse(text) as { code?: string };
        } catch {
          // Not JSON: the status alone is the answer.
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    ws.on('error', () => {});
  });
}
