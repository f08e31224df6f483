export interface BackoffOptions {
  /** Delay cap of the first retry, in ms. */
  initialMs?: number;
  /** Upper bound of any delay, in ms. */
  maxMs?: number;
  factor?: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the window is fixed, half random. Pure full
 * jitter can retry almost immediately many times in a row, which hammers a server that is
 * restarting; equal jitter still spreads a crowd of clients that all lost the same server.
 */
export function createBackoff(options: BackoffOptions = {}) {
  const initialMs = options.initialMs ?? 250;
  const maxMs = options.maxMs ?? 10_000;
  const factor = options.factor ?? 2;
  const random = options.random ?? Math.random;
  return {
    /** Delay before retry number `attempt` (1-based). */
    delay(attempt: number): number {
      const window = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt - 1));
      return Math.round(window / 2 + random() * (window / 2));
    },
  };
}
