import type { Bus } from './bus';

/** The single-instance bus: an in-process map of listeners. */
export function createMemoryBus(): Bus {
  const listeners = new Map<string, Set<(seq: number) => void>>();
  const accessListeners = new Set<(userId: string) => void>();
  const queueListeners = new Set<() => void>();
  return {
    kind: 'memory',
    publish(taskId, seq) {
      const set = listeners.get(taskId);
      if (!set) return undefined;
      // A listener may unsubscribe while we iterate: a Set's iterator skips what was deleted.
      for (const fn of set) {
        try {
          fn(seq);
        } catch {
          // A failing listener must not stop delivery to the others.
        }
      }
      return undefined;
    },
    subscribe(taskId, onSeq) {
      const set = listeners.get(taskId) ?? new Set();
      listeners.set(taskId, set);
      set.add(onSeq);
      return () => {
        const s = listeners.get(taskId);
        if (!s) return;
        s.delete(onSeq);
        if (s.size === 0) listeners.delete(taskId);
      };
    },
    async subscribed() {},
    publishAccessChange(userId) {
      for (const fn of accessListeners) {
        try {
          fn(userId);
        } catch {
          // A failing listener must not stop delivery to the others.
        }
      }
      return undefined;
    },
    subscribeAccessChanges(onUser) {
      accessListeners.add(onUser);
      return () => accessListeners.delete(onUser);
    },
    publishQueueChange() {
      for (const fn of queueListeners) {
        try {
          fn();
        } catch {
          // A failing listener must not stop delivery to the others.
        }
      }
      return undefined;
    },
    subscribeQueueChanges(onChange) {
      queueListeners.add(onChange);
      return () => queueListeners.delete(onChange);
    },
    async queueSubscribed() {},
    async ping() {},
    async close() {
      listeners.clear();
      accessListeners.clear();
      queueListeners.clear();
    },
  };
}
