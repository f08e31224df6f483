import { useState } from 'react';

/**
 * A form's call in flight: `busy` while it runs, and why it failed, as `toError` describes it,
 * for the form to show. `run` answers whether the call succeeded.
 */
export function useAction<E>(toError: (err: unknown) => E) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<E | null>(null);
  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(toError(err));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run };
}

/** Why a call failed, in words: the error's own message, or `fallback` for a throw that is not an Error. */
export function errorMessage(err: unknown, fallback: string): string {
  return err instanceof Error ? err.message : fallback;
}
