import { useEffect, useState } from 'react';

/**
 * False for a short moment after a prompt appears, then true. Keys typed before that (the
 * tail of a chat line, a reflexive "y") must not answer a request the customer has not read.
 */
export function useArmed(key: string, delayMs: number): boolean {
  const [armedFor, setArmedFor] = useState<string | null>(delayMs <= 0 ? key : null);
  useEffect(() => {
    if (delayMs <= 0) {
      setArmedFor(key);
      return;
    }
    setArmedFor(null);
    const t = setTimeout(() => setArmedFor(key), delayMs);
    return () => clearTimeout(t);
  }, [key, delayMs]);
  return armedFor === key;
}
