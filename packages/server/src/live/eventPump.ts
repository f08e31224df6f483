import type { Socket } from 'node:net';
import { CLOSE_CODES } from '@codevf/protocol/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { SocketCork } from './socketCork';
import type { TaskFeed } from './taskFeed';

/** A peer that lets this much pile up unread is dropped; it resumes with `lastSeq`. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Frames are JSON text: `ws` would send a Buffer as a binary frame unless told. */
export const TEXT = { binary: false } as const;

/** The connection a pump delivers for. */
export interface PumpOwner {
  readonly isClosed: boolean;
  readonly taskId: string;
  shutdown(code: number, reason: string): void;
}

/**
 * Delivers a task's persisted events to one socket strictly in seq order, pulling them from the
 * task's feed — replay and live are the same loop, so there is no gap and no duplicate where
 * one ends and the other begins. Live events come from the feed's cache without waiting on
 * anything; only a replay or a gap in the cache reads the database.
 */
export class EventPump {
  private pumping = false;
  private again = false;
  /** Batches this socket's writes (see SocketCork). */
  private readonly cork: SocketCork;

  constructor(
    readonly feed: TaskFeed,
    private readonly socket: WebSocket,
    private readonly owner: PumpOwner,
    private readonly log: FastifyBaseLogger,
    /** Seq of the last event this socket has been sent. */
    public sentSeq: number,
  ) {
    this.cork = new SocketCork((socket as unknown as { _socket?: Socket })._socket);
  }

  /**
   * Sends every event past `sentSeq`. `ownEvent`: the newest is the peer's own message coming
   * back, so its write (and the ack right after) is flushed after the other participants'.
   */
  async run(ownEvent = false): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    const { feed, owner } = this;
    try {
      do {
        this.again = false;
        while (!owner.isClosed && this.sentSeq < feed.latest) {
          const wires = feed.cachedAfter(this.sentSeq) ?? (await feed.readAfter(this.sentSeq));
          if (wires.length === 0) break;
          // The events of a group commit, or our own echo and its ack, leave in one write.
          if (ownEvent || wires.length > 1) this.cork.hold(ownEvent);
          for (const wire of wires) {
            if (owner.isClosed) break;
            this.socket.send(wire, TEXT);
            this.sentSeq++;
          }
          if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES)
            return owner.shutdown(CLOSE_CODES.tooFarBehind, 'too far behind; reconnect with lastSeq');
        }
      } while (this.again && !owner.isClosed);
    } catch (err) {
      this.log.error({ err, taskId: owner.taskId }, 'event delivery failed');
      // The client resumes from its lastSeq on a new connection; better than a silent gap.
      owner.shutdown(CLOSE_CODES.internal, 'delivery failed');
    } finally {
      this.pumping = false;
    }
  }
}
