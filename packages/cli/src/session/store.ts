/**
 * A minimal external store (the shape React's useSyncExternalStore expects). The session
 * controller dispatches into it; the Ink tree only reads and calls controller methods.
 */
export function createStore<S, A>(reducer: (state: S, action: A) => S, initial: S) {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(action: A) {
      const next = reducer(state, action);
      if (next === state) return;
      state = next;
      for (const l of listeners) l();
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

export type Store<S, A> = ReturnType<typeof createStore<S, A>>;
