import { useState } from 'react';
import { errorMessage, useAction } from '../../hooks/useAction';

export type Submit = ReturnType<typeof useSubmit>;

/** A session form's send: busy state, the server's refusal, and what was sent, shown next to the form. */
export function useSubmit() {
  const action = useAction((err) => errorMessage(err, 'Could not send.'));
  const [sent, setSent] = useState<string | null>(null);
  async function run(send: () => Promise<unknown>, done: string, reset: () => void) {
    setSent(null);
    if (await action.run(send)) {
      reset();
      setSent(done);
    }
  }
  return { busy: action.busy, error: action.error, sent, run };
}
