import type { Store } from '../session/store';
import type { Action, SessionState } from './sessionState';

/** The terminal bell: most terminals beep, flash or mark the tab, so a request is noticed from elsewhere. */
export const BELL = '\x07';

/** What waits for the customer now: requests asked about, a screenshare link not yet answered. */
function waiting(state: SessionState): string[] {
  const share = state.screenshare && !state.screenshare.opened ? [`screenshare:${state.screenshare.url}`] : [];
  return [...state.promptQueue, ...share];
}

/**
 * Rings once for each command or file request and screenshare link that comes to wait for the
 * customer. Checked a microtask after a change, so a command the customer allowed for the
 * session (approved in the same turn as it arrived) does not ring. Returns the stop function.
 */
export function ringOnRequests(store: Store<SessionState, Action>, write: (text: string) => void): () => void {
  const rung = new Set<string>();
  let scheduled = false;
  const check = () => {
    scheduled = false;
    let ring = false;
    for (const id of waiting(store.getState())) {
      if (rung.has(id)) continue;
      rung.add(id);
      ring = true;
    }
    if (ring) write(BELL);
  };
  check();
  return store.subscribe(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(check);
  });
}
