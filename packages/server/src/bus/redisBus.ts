import { Redis } from 'ioredis';
import type { Bus } from './bus';

export interface RedisBusOptions {
  /** Channel prefix, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  /** The channel of access changes (one for the whole deployment: every instance listens). */
  accessChannel?: string;
  /** The channel of queue changes (one for the whole deployment, like access changes). */
  queueChannel?: string;
}

/**
 * Redis pub/sub bus: one channel per task, subscribed only while this instance holds a live
 * connection to that task, so an instance hears only about the sessions it serves.
 */
export function createRedisBus(url: string, options: RedisBusOptions = {}): Bus {
  const prefix = options.prefix ?? 'codevf:task:';
  const accessChannel = options.accessChannel ?? 'codevf:access';
  const queueChannel = options.queueChannel ?? 'codevf:queue';
  // Pub/sub needs a dedicated connection: a subscribed Redis connection can do nothing else.
  const common = { maxRetriesPerRequest: 3, connectionName: 'codevf-bus' } as const;
  const pub = new Redis(url, common);
  const sub = new Redis(url, common);
  // ioredis emits 'error' on every failed reconnect; without a listener Node would crash.
  pub.on('error', () => {});
  sub.on('error', () => {});

  const listeners = new Map<string, Set<(seq: number) => void>>();
  const subscriptions = new Map<string, Promise<void>>();
  const accessListeners = new Set<(userId: string) => void>();
  let closed = false;
  let accessSubscribed = false;
  const queueListeners = new Set<() => void>();
  let queueSubscription: Promise<void> | null = null;

  sub.on('message', (channel: string, message: string) => {
    if (channel === accessChannel) {
      for (const fn of [...accessListeners]) {
        try {
          fn(message);
        } catch {
          // One failing listener must not stop the others.
        }
      }
      return;
    }
    if (channel === queueChannel) {
      for (const fn of [...queueListeners]) {
        try {
          fn();
        } catch {
          // One failing listener must not stop the others.
        }
      }
      return;
    }
    if (!channel.startsWith(prefix)) return;
    const set = listeners.get(channel.slice(prefix.length));
    const seq = Number(message);
    if (!set || !Number.isSafeInteger(seq) || seq < 1) return;
    for (const fn of [...set]) {
      try {
        fn(seq);
      } catch {
        // One failing listener must not stop the others.
      }
    }
  });

  return {
    kind: 'redis',
    async publish(taskId, seq) {
      if (closed) return;
      await pub.publish(prefix + taskId, String(seq));
    },
    subscribe(taskId, onSeq) {
      let set = listeners.get(taskId);
      if (!set) {
        set = new Set();
        listeners.set(taskId, set);
        const p = sub.subscribe(prefix + taskId).then(
          () => undefined,
          () => undefined, // ioredis re-subscribes on reconnect; the periodic resync covers the gap.
        );
        subscriptions.set(taskId, p);
      }
      set.add(onSeq);
      return () => {
        const s = listeners.get(taskId);
        if (!s?.delete(onSeq) || s.size > 0) return;
        listeners.delete(taskId);
        subscriptions.delete(taskId);
        if (!closed) sub.unsubscribe(prefix + taskId).catch(() => {});
      };
    },
    async subscribed(taskId) {
      await subscriptions.get(taskId);
    },
    async publishAccessChange(userId) {
      if (closed) return;
      await pub.publish(accessChannel, userId);
    },
    subscribeAccessChanges(onUser) {
      // Subscribed on first use and kept: every instance serving sockets wants every change.
      // A change published while Redis is unreachable is caught by the periodic access sweep.
      if (!accessSubscribed) {
        accessSubscribed = true;
        sub.subscribe(accessChannel).catch(() => {});
      }
      accessListeners.add(onUser);
      return () => accessListeners.delete(onUser);
    },
    async publishQueueChange() {
      if (closed) return;
      await pub.publish(queueChannel, '1');
    },
    subscribeQueueChanges(onChange) {
      // Subscribed on first use and kept, like access changes; the queue streams' periodic
      // refresh covers a change published while Redis was unreachable.
      queueSubscription ??= sub.subscribe(queueChannel).then(
        () => undefined,
        () => undefined,
      );
      queueListeners.add(onChange);
      return () => queueListeners.delete(onChange);
    },
    async queueSubscribed() {
      await queueSubscription;
    },
    async ping() {
      await pub.ping();
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      accessListeners.clear();
      queueListeners.clear();
      // The subscriber is dropped, not quit: it has nothing to flush, and a QUIT sent while
      // (un)subscribe replies are still due (streams and long-polls just ended) can wait forever.
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}
