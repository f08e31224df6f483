import type { ServerMessage, ServerMessageType, ServerPayload } from '@codevf/protocol';
import { renderToString } from 'ink';
import { createStore, type Store } from '../../src/session/store';
import { App, type SessionView } from '../../src/ui/App';
import { sessionReducer } from '../../src/ui/sessionReducer';
import { type Action, initialSessionState, type SessionState } from '../../src/ui/sessionState';

/**
 * The live screen's state and drawing without a terminal or a server, for a session of Ann's
 * seen at the time `t0`: server frames stamped at `t0` and fed to the reducer as received then.
 */
export function liveScreenAt(t0: number) {
  const timestamp = new Date(t0).toISOString();
  const ev = <T extends ServerMessageType>(type: T, payload: ServerPayload<T>, seq?: number): ServerMessage<T> => ({
    type,
    payload,
    seq,
    timestamp,
  });
  const frame = (f: ServerMessage): Action => ({ type: 'frame', frame: f, now: t0 });
  const newStore = () => createStore(sessionReducer, initialSessionState({ customerName: 'Ann', now: t0 }));
  /** The screen's state after the actions, reduced as the store would. */
  const run = (actions: Action[]): SessionState =>
    actions.reduce(sessionReducer, initialSessionState({ customerName: 'Ann', now: t0 }));
  /** The whole screen after the actions, as text, with requests armed at once. */
  function screen(actions: Action[], columns = 100): string {
    const store = newStore();
    for (const a of actions) store.dispatch(a);
    return renderToString(<App session={sessionOver(store)} armDelayMs={0} />, { columns });
  }
  return { ev, frame, newStore, run, screen };
}

/** A session the screen can draw from the store; every action it offers does nothing. */
export function sessionOver(store: Store<SessionState, Action>): SessionView {
  const noop = () => {};
  return new Proxy({ store }, { get: (t, k) => (k === 'store' ? t.store : noop) }) as unknown as SessionView;
}
