import { useState } from 'react';

export type Submit = ReturnType<typeof useSubmit>;

/** Shared submit handling of the session forms: busy state, the server's refusal shown next to the form. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  async function run(action: () => Promise<unknown>, done: string, reset: () => void) {
    setBusy(true);
    setError(null);
    setSent(null);
    try {
      await action();
      reset();
      setSent(done);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not send.');
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, sent, run };
}
