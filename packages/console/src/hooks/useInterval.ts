import { useEffect, useRef } from 'react';

/**
 * Calls `fn` every `ms` while the page is visible, and once more right when it becomes visible
 * again: a background tab does not poll the server, and a returning user sees fresh data.
 */
export function useVisibleInterval(fn: () => void, ms: number, enabled = true): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setInterval> | null = null;
    const startTimer = () => {
      if (timer === null) timer = setInterval(() => ref.current(), ms);
    };
    const stopTimer = () => {
      if (timer !== null) clearInterval(timer);
      timer = null;
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') {
        ref.current();
        startTimer();
      } else stopTimer();
    };
    if (document.visibilityState === 'visible') startTimer();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopTimer();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [ms, enabled]);
}
