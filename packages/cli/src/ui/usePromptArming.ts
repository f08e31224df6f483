import { useCallback, useEffect, useLayoutEffect, useReducer, useRef } from 'react';

/**
 * Tracks when the active request first appeared on screen. Its keys work only `delayMs`
 * later: a key typed before that (the tail of a chat line, a reflexive "y") must not answer a
 * request the customer has not read. Re-renders once the delay is over so the key hints show.
 */
export function usePromptArming(activeId: string | null, delayMs: number) {
  const shownAt = useRef(new Map<string, number>());
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useLayoutEffect(() => {
    if (activeId && !shownAt.current.has(activeId)) shownAt.current.set(activeId, Date.now());
  }, [activeId]);
  useEffect(() => {
    if (!activeId || delayMs <= 0) return;
    const t = setTimeout(rerender, delayMs + 10);
    return () => clearTimeout(t);
  }, [activeId, delayMs]);
  const isArmed = useCallback(
    (id: string) => {
      if (delayMs <= 0) return true;
      const at = shownAt.current.get(id);
      return at !== undefined && Date.now() - at >= delayMs;
    },
    [delayMs],
  );
  return isArmed;
}
