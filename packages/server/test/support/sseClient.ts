/**
 * A server-sent events reader for tests (the browser's EventSource, minus the reconnect): it
 * keeps every event it parsed and lets a test wait for one that matches.
 */
import type { ApiAuth } from './api';

export interface SseEvent {
  event: string;
  data: string;
  /** When the event was parsed (performance.now()), for latency measurements. */
  at: number;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  /** The first event (already received or still to come) that passes `test`. */
  waitFor(test: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(baseUrl: string, path: string, auth: ApiAuth): Promise<SseStream> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}${path}`, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let ended: Promise<void> = Promise.resolve();
  if (res.ok && res.body) {
    const body = res.body;
    ended = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        const reader = body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length === 0) continue;
            events.push({ event, data: data.join('\n'), at: performance.now() });
            for (const w of waiters) w();
          }
        }
      } catch {
        // Aborted by close().
      }
    })();
  } else await res.text();
  return {
    status: res.status,
    events,
    ended,
    waitFor(test, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(test);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms from ${path}; got ${events.map((e) => `${e.event} ${e.data.slice(0, 80)}`).join(' | ')}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => abort.abort(),
  };
}

/** The task ids of a queue snapshot event (`event: queue`). */
export function queueIds(e: SseEvent): string[] {
  return (JSON.parse(e.data) as { tasks: { id: string }[] }).tasks.map((t) => t.id);
}
