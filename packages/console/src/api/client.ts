import { CSRF_HEADER } from '@codevf/protocol/constants';
import { isErrorCode } from '@codevf/protocol/errors';
import { codeForStatus } from '@codevf/protocol/shared';
import { ApiError, friendlyMessage } from './apiError';
import { csrfToken } from './csrf';

/**
 * The console's only way to the server's REST API: same-origin fetch with the session cookie,
 * the CSRF header on state-changing methods, and problem details turned into ApiError.
 */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /**
   * A 401 normally means the cookie session ended, and the app sends the user to sign in.
   * Sign-in itself answers 401 for a wrong password: that is not an expired session.
   */
  expectUnauthorized?: boolean;
}

type Listener = () => void;
const expiredListeners = new Set<Listener>();
/** An API call found the session gone, and no session has started since. */
let expired = false;

/** Called whenever an API call finds the session gone (401). Returns an unsubscribe function. */
export function onSessionExpired(listener: Listener): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

/**
 * Whether the session is known to be gone: true from the 401 on, before React has taken down the
 * pages that used it. Nothing may open a live socket then: the upgrade would be refused (and the
 * browser logs every refused upgrade as an error) while the user is being sent to sign in.
 */
export function sessionExpired(): boolean {
  return expired;
}

/** A session started (signed in, or found on load): live sockets may open again. */
export function sessionStarted(): void {
  expired = false;
}

let base = '';

/** Prefix for every path. The console is served by the API server itself, so '' in the app. */
export function setApiBase(url: string): void {
  base = url.replace(/\/$/, '');
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy error page): fall back to the status.
  }
  const problem = (body && typeof body === 'object' ? body : {}) as {
    code?: unknown;
    detail?: unknown;
    errors?: unknown;
  };
  const code = isErrorCode(problem.code) ? problem.code : codeForStatus(res.status);
  const detail = typeof problem.detail === 'string' ? problem.detail : undefined;
  const fields: Record<string, string> = {};
  if (Array.isArray(problem.errors)) {
    for (const e of problem.errors as { path?: unknown; message?: unknown }[]) {
      if (typeof e?.path === 'string' && typeof e.message === 'string') fields[e.path] = e.message;
    }
  }
  return new ApiError(code, friendlyMessage(code, detail), res.status, fields);
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (UNSAFE.has(method)) {
    const token = csrfToken();
    if (token) headers[CSRF_HEADER] = token;
  }
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('E_UNREACHABLE', friendlyMessage('E_UNREACHABLE', undefined), 0);
  }
  if (!res.ok) {
    const error = await toApiError(res);
    if (res.status === 401 && !options.expectUnauthorized) {
      expired = true;
      for (const listener of expiredListeners) listener();
    }
    throw error;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError('E_INTERNAL', friendlyMessage('E_INTERNAL', undefined), res.status);
  }
}

/** Lists come back either bare or wrapped (`{users: [...]}`); accept both. */
export function listFrom<T>(value: unknown, key: string): T[] {
  if (Array.isArray(value)) return value as T[];
  const inner = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return Array.isArray(inner) ? (inner as T[]) : [];
}
