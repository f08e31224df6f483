import type { Socket } from 'node:net';

/**
 * Holds a TCP socket's writes (corked) until the current burst of work is done, so that several
 * frames leave in one write instead of one system call each: the events of a group commit, and
 * the echo of the sender's own message with its ack, which is sent right after. Frames and order
 * are unchanged.
 */
export class SocketCork {
  private corked = false;

  constructor(private readonly tcp: Socket | undefined) {}

  /**
   * Corks until the end of this turn of the event loop, or (`late`, the sender's own socket)
   * until one turn later, after every other participant's socket: they are the ones waiting.
   */
  hold(late: boolean): void {
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
}
