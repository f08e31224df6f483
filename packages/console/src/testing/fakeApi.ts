import { afterEach, vi } from 'vitest';
import { sessionStarted } from '../api/client';

/**
 * The REST boundary of a page test: `fetch` answers from a table of routes ("GET /v1/ai/tasks")
 * and records every call. A route not in the table answers 404 E_NOT_FOUND, as the server would
 * for a path it does not have. Restored after each test.
 */
export interface ApiCall {
  method: string;
  path: string;
  body: unknown;
}

export type Answer = { status?: number; body?: unknown };
export type Route = Answer | ((call: ApiCall) => Answer | Promise<Answer>);

export function problem(status: number, code: string, detail: string): Answer {
  return { status, body: { type: 'about:blank', title: code, status, detail, code } };
}

afterEach(() => {
  vi.unstubAllGlobals();
  // A test whose server answered 401 leaves the session known gone; the next test starts signed in.
  sessionStarted();
});

export function fakeApi(routes: Record<string, Route>) {
  const calls: ApiCall[] = [];
  const table = { ...routes };
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = new URL(input, 'http://console.test').pathname;
    const call = { method, path, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    const route = table[`${method} ${path}`];
    const answer =
      typeof route === 'function' ? await route(call) : (route ?? problem(404, 'E_NOT_FOUND', 'No route.'));
    const status = answer.status ?? 200;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status,
      headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' },
    });
  });
  return {
    calls,
    /** Replaces one route (the next poll sees the new answer). */
    set(route: string, answer: Route) {
      table[route] = answer;
    },
  };
}
