/** Time as the live client uses it; tests pass a fake to drive backoff and heartbeats. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Lets Node exit while only this timer is left (a heartbeat must not keep a CLI alive); a no-op elsewhere. */
export function unref(handle: unknown): void {
  (handle as { unref?: () => void } | null)?.unref?.();
}
