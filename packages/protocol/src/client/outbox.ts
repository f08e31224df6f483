import { type Clock, unref } from './clock';

interface Pending {
  text: string;
  /** Written to the current connection (reset on reconnect: everything unacknowledged goes again). */
  sent: boolean;
  resolve: (seq: number | null) => void;
  reject: (err: Error) => void;
}

/**
 * Messages sent and not yet acknowledged, oldest first. At most `maxInFlight` of them are on
 * the wire at once: the server refuses a peer with too many in flight (E_RATE_LIMITED), and a
 * command streaming output would hit that, so the rest waits here.
 */
export function createOutbox(clock: Clock, maxInFlight: number) {
  const pending = new Map<string, Pending>();
  const drainWaiters = new Set<() => void>();

  function notifyDrain() {
    if (pending.size > 0) return;
    for (const w of drainWaiters) w();
    drainWaiters.clear();
  }

  function take(id: string): Pending | undefined {
    const p = pending.get(id);
    if (p) pending.delete(id);
    notifyDrain();
    return p;
  }

  return {
    /** Queues a message; resolves with the seq of its ack. */
    add(id: string, text: string): Promise<number | null> {
      return new Promise((resolve, reject) => {
        pending.set(id, { text, sent: false, resolve, reject });
      });
    },
    /** Writes unsent messages, oldest first, while the in-flight window has room. */
    pump(send: (text: string) => void) {
      let inFlight = 0;
      for (const p of pending.values()) if (p.sent) inFlight++;
      for (const p of pending.values()) {
        if (inFlight >= maxInFlight) break;
        if (p.sent) continue;
        send(p.text);
        p.sent = true;
        inFlight++;
      }
    },
    /** A new connection: everything unacknowledged goes again, in the order first sent, same ids. */
    resendAll() {
      for (const p of pending.values()) p.sent = false;
    },
    /** The server did not take message `id` (rate-limited): it goes again. False if unknown. */
    resend(id: string): boolean {
      const p = pending.get(id);
      if (p) p.sent = false;
      return p !== undefined;
    },
    has(id: string): boolean {
      return pending.has(id);
    },
    acknowledge(id: string, seq: number | null) {
      take(id)?.resolve(seq);
    },
    refuse(id: string, err: Error) {
      take(id)?.reject(err);
    },
    refuseAll(err: Error) {
      for (const id of [...pending.keys()]) take(id)?.reject(err);
      notifyDrain();
    },
    get size() {
      return pending.size;
    },
    /** Resolves true when every message is acknowledged, false after `timeoutMs`. */
    drain(timeoutMs: number): Promise<boolean> {
      if (pending.size === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = () => {
          clock.clearTimeout(t);
          resolve(true);
        };
        const t = clock.setTimeout(() => {
          drainWaiters.delete(done);
          resolve(false);
        }, timeoutMs);
        unref(t);
        drainWaiters.add(done);
      });
    },
  };
}
