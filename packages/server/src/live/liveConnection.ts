import type { Socket } from 'node:net';
import {
  CLOSE_CODES,
  type ClientMessageType,
  CUSTOMER_SENDS,
  ENGINEER_SENDS,
  type ErrorCode,
  type Frame,
  isClientMessageType,
  isServerMessageType,
  MESSAGE_ID,
  maxFrameBytes,
  PROTOCOL_VERSION,
  parseClientPayload,
  readFrame,
  type ServerPayload,
} from '@codevf/protocol';
import type { RawData, WebSocket } from 'ws';
import type { AuthUser } from '../auth/guards';
import { ApiError } from '../http/errors';
import { firstIssue } from '../http/validate';
import { withTaskLock } from '../tasks/taskLock';
import type { LiveRuntime } from './liveRuntime';
import { handleMessage } from './messageHandlers';
import type { FeedListener, TaskFeed } from './taskFeed';

/** Messages a client may have waiting for processing before it is told to slow down. */
const MAX_QUEUED = 256;
/** A peer that lets this much pile up unread is dropped; it resumes with `lastSeq`. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface LiveTarget {
  user: AuthUser;
  taskId: string;
  role: 'customer' | 'engineer';
}

/** Frames are JSON text: `ws` would send a Buffer as a binary frame unless told. */
const TEXT = { binary: false } as const;

const SENDS: Record<LiveTarget['role'], readonly ClientMessageType[]> = {
  customer: CUSTOMER_SENDS,
  engineer: ENGINEER_SENDS,
};

/** A frame's `id` if one can be read, so that even a refused frame's error names its message. */
function idOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && MESSAGE_ID.test(id) ? id : undefined;
}

/**
 * One participant's socket. Incoming frames are checked (size, JSON, envelope, type, role,
 * payload) and then applied one at a time, in order; every broken rule is answered with an
 * `error` frame and the socket stays usable. Outgoing, the connection pulls persisted events
 * from the task's feed strictly in seq order — replay and live are the same loop, so there is
 * no gap and no duplicate where one ends and the other begins.
 */
export class LiveConnection implements FeedListener {
  readonly taskId: string;
  readonly role: LiveTarget['role'];
  readonly user: AuthUser;
  /** When hello succeeded (on the app's clock: billing counts from it). */
  welcomedAt: Date | null = null;
  private helloStarted = false;
  private sentSeq = 0;
  private feed: TaskFeed | null = null;
  private closed = false;
  private lastSeen = performance.now();
  /** Frames that arrived while an earlier one was being applied, oldest first. */
  private readonly inbox: Frame[] = [];
  private applying = false;
  private pumping = false;
  private pumpAgain = false;
  private corked = false;
  /** The TCP socket under the WebSocket (see hold). */
  private readonly tcp: Socket | undefined;

  constructor(
    private readonly runtime: LiveRuntime,
    private readonly socket: WebSocket,
    target: LiveTarget,
  ) {
    this.taskId = target.taskId;
    this.role = target.role;
    this.user = target.user;
    this.tcp = (socket as unknown as { _socket?: Socket })._socket;
    runtime.attach(this);
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('pong', () => {
      this.lastSeen = performance.now();
    });
    socket.on('close', () => this.onClose());
    // 'close' always follows an error; nothing else to do here, but the listener must exist.
    socket.on('error', () => {});
  }

  get position(): number | undefined {
    return this.welcomedAt && !this.closed ? this.sentSeq : undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private get ctx() {
    return this.runtime.ctx;
  }

  /**
   * Drops the peer when nothing (no frame, no pong) came from it for `timeoutMs`; otherwise
   * pings it, unless it was heard from within the last `quietMs` — a peer that is talking
   * needs no ping to prove it is there.
   */
  heartbeat(now: number, timeoutMs: number, quietMs: number): void {
    if (this.closed) return;
    const silent = now - this.lastSeen;
    if (silent > timeoutMs) {
      // A silent peer: no pong, no message. Drop it (terminate: a close handshake would wait on it too).
      this.onClose();
      this.socket.terminate();
      return;
    }
    if (silent < quietMs) return;
    try {
      this.socket.ping();
    } catch {
      // The socket is closing; its close handler does the rest.
    }
  }

  /** Closes from the server side (shutdown, slow consumer), recording the departure. */
  shutdown(code: number, reason: string): void {
    this.onClose();
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
  }

  // ---- incoming ---------------------------------------------------------------------------

  private onFrame(data: RawData, isBinary: boolean): void {
    this.lastSeen = performance.now();
    if (this.closed) return;
    const refused = this.check(data, isBinary);
    if ('code' in refused) {
      this.sendError(refused.code, refused.message, refused.id);
      return;
    }
    if (this.applying) this.inbox.push(refused.frame);
    else void this.runtime.track(this.apply(refused.frame));
  }

  /**
   * Applies `first`, then every frame that arrived meanwhile, one at a time in order. A plain
   * queue rather than a promise chain per connection: the chain's last link (and the ones
   * before it, with their closures) lived until the socket's next frame a second later, long
   * enough to be copied by a young-generation GC and promoted.
   */
  private async apply(first: Frame): Promise<void> {
    this.applying = true;
    try {
      for (let frame: Frame | undefined = first; frame; frame = this.inbox.shift()) {
        try {
          await this.process(frame);
        } catch (err) {
          this.failed(err, frame.id);
        }
      }
    } finally {
      this.applying = false;
    }
  }

  /** Everything that can be decided about a frame without the database. */
  private check(
    data: RawData,
    isBinary: boolean,
  ): { frame: Frame } | { code: ErrorCode; message: string; id?: string } {
    if (isBinary) return { code: 'E_VALIDATION', message: 'Frames must be JSON text, not binary.' };
    // A text frame arrives as one Buffer; the other shapes are converted (without a copy when possible).
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const text = buf.toString('utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    const limit = maxFrameBytes((raw as { type?: unknown } | undefined)?.type as string | undefined);
    if (buf.length > limit) {
      return {
        code: 'E_TOO_LARGE',
        message: `A frame of this type may be at most ${limit} bytes; this one has ${buf.length}.`,
        id: idOf(raw),
      };
    }
    if (raw === undefined) return { code: 'E_VALIDATION', message: 'The frame is not valid JSON.' };
    const envelope = readFrame(raw);
    if (!envelope.ok) return { code: 'E_VALIDATION', message: `Malformed frame: ${envelope.issue}`, id: idOf(raw) };
    if (this.inbox.length >= MAX_QUEUED) {
      return { code: 'E_RATE_LIMITED', message: 'Too many messages in flight; wait for acks.', id: envelope.frame.id };
    }
    return { frame: envelope.frame };
  }

  private failed(err: unknown, id: string | undefined): void {
    if (err instanceof ApiError) {
      this.sendError(err.code, err.message, id);
      return;
    }
    this.ctx.log.error({ err, taskId: this.taskId }, 'live message failed');
    this.sendError('E_INTERNAL', 'Internal error; the message was not stored.', id);
  }

  private async process(frame: Frame): Promise<void> {
    if (this.closed) return;
    const { type, id } = frame;
    if (type === 'hello') return this.hello(frame);
    if (!this.welcomedAt) return this.sendError('E_VALIDATION', 'Send hello first.', id);
    // A type only the server sends is known but forbidden, not unknown. (hello was handled above.)
    if (!isClientMessageType(type) || type === 'hello' || !SENDS[this.role].includes(type)) {
      if (isClientMessageType(type) || isServerMessageType(type))
        return this.sendError('E_FORBIDDEN', `A ${this.role} may not send ${type}.`, id);
      return this.sendError('E_VALIDATION', `Unknown message type "${type}".`, id);
    }
    const parsed = parseClientPayload(type, frame.payload);
    if (!parsed.success) return this.sendError('E_VALIDATION', `${type}: ${firstIssue(parsed.error, '(frame)')}`, id);

    const result = await handleMessage(
      this.ctx,
      { user: this.user, role: this.role, taskId: this.taskId },
      type,
      parsed.data,
      id,
    );
    if (result.error) return this.sendError(result.error.code, result.error.message, id);
    if (id) this.sendControl('ack', { id, seq: result.seq });
  }

  private async hello(frame: Frame): Promise<void> {
    if (this.helloStarted)
      return this.sendError('E_CONFLICT', 'hello was already received on this connection.', frame.id);
    const parsed = parseClientPayload('hello', frame.payload);
    if (!parsed.success)
      return this.sendError('E_VALIDATION', `hello: ${firstIssue(parsed.error, '(frame)')}`, frame.id);
    const { protocolVersion, lastSeq } = parsed.data;
    if (protocolVersion !== PROTOCOL_VERSION) {
      this.sendError(
        'E_PROTOCOL_VERSION',
        `This server speaks protocol version ${PROTOCOL_VERSION}; the client sent ${protocolVersion}. Update the CodeVF CLI.`,
        frame.id,
      );
      this.shutdown(CLOSE_CODES.protocolVersion, 'unsupported protocol version');
      return;
    }
    this.helloStarted = true;
    const feed = await this.runtime.acquireFeed(this.taskId, this);
    let task: { status: 'queued' | 'active' | 'ended'; last_seq: number } | undefined;
    try {
      task = await this.ctx.storage.db
        .selectFrom('tasks')
        .select(['status', 'last_seq'])
        .where('id', '=', this.taskId)
        .executeTakeFirst();
    } finally {
      // Hand the feed back unless this socket is still open and will be welcomed below.
      const head = Number(task?.last_seq ?? 0);
      if (this.closed || !task || lastSeq > head) {
        this.helloStarted = false;
        this.runtime.releaseFeed(feed, this);
      }
    }
    if (this.closed) return;
    if (!task) {
      this.sendError('E_NOT_FOUND', 'No such task.');
      return this.shutdown(CLOSE_CODES.policy, 'no such task');
    }
    const head = Number(task.last_seq);
    if (lastSeq > head) {
      return this.sendError(
        'E_VALIDATION',
        `lastSeq ${lastSeq} is ahead of this task's log (${head} events).`,
        frame.id,
      );
    }
    this.feed = feed;
    feed.reset(head);
    this.sentSeq = lastSeq;
    this.sendControl('welcome', { taskId: this.taskId, status: task.status, role: this.role, lastSeq: head });
    this.welcomedAt = this.ctx.clock.now();
    this.wake();
    if (this.role === 'engineer' && this.runtime.engineerArrived(this) && task.status === 'active') {
      await this.announceEngineer('engineer_connected');
    }
  }

  /** engineer_connected / engineer_disconnected — only for an active task (not after session_end). */
  private async announceEngineer(type: 'engineer_connected' | 'engineer_disconnected'): Promise<void> {
    const user = this.user;
    const change = await withTaskLock(
      this.ctx.storage.db,
      this.taskId,
      this.ctx.clock.now(),
      async (tx) => {
        if (tx.task.status !== 'active') return;
        if (type === 'engineer_connected') {
          await tx.append('engineer_connected', {
            engineer: { id: user.id, name: user.name, title: user.title },
            kind: 'human',
          });
        } else {
          await tx.append('engineer_disconnected', { engineerId: user.id });
        }
      },
      'head',
    );
    this.runtime.publish(this.taskId, change.events);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.runtime.detach(this);
    if (this.feed) this.runtime.releaseFeed(this.feed, this);
    if (this.role === 'engineer' && this.runtime.engineerLeft(this)) {
      this.runtime.track(
        this.announceEngineer('engineer_disconnected').catch((err: unknown) => {
          this.ctx.log.warn({ err, taskId: this.taskId }, 'could not record engineer_disconnected');
        }),
      );
    }
  }

  // ---- outgoing ---------------------------------------------------------------------------

  /** The feed has (or may have) events past what this socket has been sent. */
  wake(ownEvent = false): void {
    // The echo of our own message (and its ack, written right after) can wait until the other
    // participants' sockets are flushed: they are the ones waiting for it.
    if (this.welcomedAt && !this.closed) void this.pump(ownEvent);
  }

  /**
   * Sends every event past `sentSeq`, in order. Live events come from the feed's cache without
   * waiting on anything; only a replay or a gap in the cache reads the database.
   */
  private async pump(ownEvent = false): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (!this.closed && this.feed && this.sentSeq < this.feed.latest) {
          const wires = this.feed.cachedAfter(this.sentSeq) ?? (await this.feed.readAfter(this.sentSeq));
          if (wires.length === 0) break;
          if (ownEvent || wires.length > 1) this.hold(ownEvent);
          for (const wire of wires) {
            if (this.closed) break;
            this.socket.send(wire, TEXT);
            this.sentSeq++;
          }
          if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES)
            return this.shutdown(CLOSE_CODES.tooFarBehind, 'too far behind; reconnect with lastSeq');
        }
      } while (this.pumpAgain && !this.closed);
    } catch (err) {
      this.ctx.log.error({ err, taskId: this.taskId }, 'event delivery failed');
      // The client resumes from its lastSeq on a new connection; better than a silent gap.
      this.shutdown(CLOSE_CODES.internal, 'delivery failed');
    } finally {
      this.pumping = false;
    }
  }

  private sendControl<T extends 'welcome' | 'ack' | 'error'>(type: T, payload: ServerPayload<T>): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A Buffer like the events' frames: a socket whose pending writes are all Buffers is
    // written with one system call and no copying (Node's writev fast path).
    const frame = JSON.stringify({ type, timestamp: this.ctx.clock.now().toISOString(), payload });
    this.socket.send(Buffer.from(frame), TEXT);
  }

  /**
   * Holds the TCP socket's writes (corked) until the current burst of work is done, so that
   * several frames leave in one write instead of one system call each: the events of a group
   * commit, and the echo of the sender's own message with its ack, which is sent right after.
   * Frames and order are unchanged. The sender's socket (`late`) is flushed one turn of the
   * event loop later, after every other participant's: they are the ones waiting for the
   * message. A lone frame to another participant is not held: `ws` writes each frame in one
   * call anyway, and holding it would only delay it.
   */
  private hold(late: boolean): void {
    const tcp = this.tcp;
    if (this.corked || !tcp || tcp.destroyed) return;
    this.corked = true;
    tcp.cork();
    if (late) setImmediate(this.flush);
    else process.nextTick(this.flush);
  }

  private readonly flush = (): void => {
    this.corked = false;
    this.tcp?.uncork();
  };

  private sendError(code: ErrorCode, message: string, id?: string): void {
    this.sendControl('error', { code, message, ...(id ? { id } : {}) });
  }
}
