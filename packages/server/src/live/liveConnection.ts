import {
  type ErrorCode,
  type Frame,
  isClientMessageType,
  isServerMessageType,
  parseClientPayload,
  type SenderRole,
  type ServerPayload,
} from '@codevf/protocol';
import type { RawData, WebSocket } from 'ws';
import type { AuthUser } from '../auth/guards';
import { ApiError } from '../http/errors';
import { firstIssue } from '../http/validate';
import { EventPump, TEXT } from './eventPump';
import { checkFrame } from './frameGate';
import { type Admission, admitHello } from './helloHandshake';
import type { LiveRuntime } from './liveRuntime';
import { handleMessage } from './messageHandlers';
import { type PresentSocket, recordPresence } from './participantPresence';
import { SENDS } from './sender';
import type { FeedListener } from './taskFeed';

export interface LiveTarget {
  user: AuthUser;
  taskId: string;
  /** A guide (vibe mode) reads everything and sends only guide_message; it is not a billed participant. */
  role: SenderRole;
}

/**
 * One participant's socket. Incoming frames are checked (size, JSON, envelope, type, role,
 * payload) and then applied one at a time, in order (hello through helloHandshake.ts); every
 * broken rule is answered with an `error` frame and the socket stays usable. Outgoing, once
 * welcomed, its EventPump delivers the task's events in seq order.
 */
export class LiveConnection implements FeedListener {
  readonly taskId: string;
  readonly role: LiveTarget['role'];
  readonly user: AuthUser;
  /** When hello succeeded (on the app's clock: billing counts from it). */
  welcomedAt: Date | null = null;
  private helloStarted = false;
  /** Delivers events from the task's feed, from the welcome on. */
  private pump: EventPump | null = null;
  private closed = false;
  private lastSeen = performance.now();
  /** Frames that arrived while an earlier one was being applied, oldest first. */
  private readonly inbox: Frame[] = [];
  private applying = false;

  constructor(
    private readonly runtime: LiveRuntime,
    private readonly socket: WebSocket,
    target: LiveTarget,
  ) {
    this.taskId = target.taskId;
    this.role = target.role;
    this.user = target.user;
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
    return this.welcomedAt && !this.closed ? this.pump?.sentSeq : undefined;
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
    const verdict = checkFrame(data, isBinary, this.inbox.length);
    if ('code' in verdict) {
      this.sendError(verdict.code, verdict.message, verdict.id);
      return;
    }
    if (this.applying) this.inbox.push(verdict.frame);
    else void this.runtime.track(this.apply(verdict.frame));
  }

  /**
   * Applies `first`, then every frame that arrived meanwhile, one at a time in order. A plain
   * queue, because a promise chain per connection kept its links alive until the socket's next
   * frame, long enough for a young-generation GC to copy and promote them.
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
    this.helloStarted = true;
    let admitted: Admission | null = null;
    try {
      admitted = await admitHello(this.runtime, this, frame);
    } finally {
      // Refused, or failed: the client may say hello again (unless the socket was closed).
      if (!admitted) this.helloStarted = false;
    }
    if (!admitted) return;
    const { feed, status, head, lastSeq } = admitted;
    feed.reset(head);
    this.pump = new EventPump(feed, this.socket, this, this.ctx.log, lastSeq);
    this.sendControl('welcome', { taskId: this.taskId, status, role: this.role, lastSeq: head });
    this.welcomedAt = this.ctx.clock.now();
    this.wake();
    const present = this.participant;
    if (status !== 'ended' && present) {
      this.runtime.presence.arrived(present);
      await recordPresence(this.ctx, this.runtime.presence, present);
    }
  }

  /** This socket as a participant whose presence is recorded and billed; a guide is neither. */
  private get participant(): PresentSocket | null {
    return this.role === 'guide' ? null : (this as PresentSocket);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.runtime.detach(this);
    if (this.pump) this.runtime.feeds.release(this.pump.feed, this);
    const present = this.participant;
    if (present && this.runtime.presence.left(present)) {
      this.runtime.track(
        recordPresence(this.ctx, this.runtime.presence, present).catch((err: unknown) => {
          this.ctx.log.warn({ err, taskId: this.taskId }, `could not record the ${this.role}'s departure`);
        }),
      );
    }
  }

  // ---- outgoing ---------------------------------------------------------------------------

  /** The feed has (or may have) events past what this socket has been sent. */
  wake(ownEvent = false): void {
    // The echo of our own message (and its ack, written right after) can wait until the other
    // participants' sockets are flushed: they are the ones waiting for it.
    if (this.welcomedAt && !this.closed) void this.pump?.run(ownEvent);
  }

  private sendControl<T extends 'welcome' | 'ack' | 'error'>(type: T, payload: ServerPayload<T>): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A Buffer like the events' frames: a socket whose pending writes are all Buffers is
    // written with one system call and no copying (Node's writev fast path).
    const frame = JSON.stringify({ type, timestamp: this.ctx.clock.now().toISOString(), payload });
    this.socket.send(Buffer.from(frame), TEXT);
  }

  sendError(code: ErrorCode, message: string, id?: string): void {
    this.sendControl('error', { code, message, ...(id ? { id } : {}) });
  }
}
