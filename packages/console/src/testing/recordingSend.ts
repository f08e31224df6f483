import type { LiveSend } from '../pages/session/liveSend';

/** A live send that records what a form sent; with `refuse`, every send fails as the server would with that message. */
export function recordingSend(refuse?: string) {
  const sent: { type: string; payload: unknown }[] = [];
  const send = (async (type: string, payload: unknown) => {
    if (refuse) throw new Error(refuse);
    sent.push({ type, payload });
    return { seq: sent.length };
  }) as LiveSend;
  return { sent, send };
}
