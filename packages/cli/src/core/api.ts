import type { Readable } from 'node:stream';
import { CLI_CLIENT_ID } from '@codevf/protocol/constants';
import type { AuthStore, StoredAuth } from './authStore';
import { CodevfError } from './errors';
import { type HttpResponse, nodeTransport, type Transport } from './http';
import { problemToError } from './problem';

export interface ApiClientOptions {
  /** Resolved server address (see baseUrl.ts). */
  baseUrl: string;
  authStore: AuthStore;
  transport?: Transport;
  now?: () => number;
  /** Aborts every request (Ctrl+C). */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Refresh the access token when it expires within this many ms. */
  refreshMarginMs?: number;
}

export interface RequestOptions<T> {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (OAuth endpoints). */
  form?: Record<string, string>;
  /** Sent as is (uploads: a stream is piped, never buffered). */
  body?: { data: string | Uint8Array | Readable; contentType: string };
  /** Send the stored login's bearer token (default true). */
  auth?: boolean;
  /** Send this token instead of the stored login's (right after login, before it is saved); no refresh. */
  accessToken?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Validates the answer (e.g. a zod schema's `parse`); without it the parsed JSON is returned as is. */
  parse?: (value: unknown) => T;
  /** Called when the request has left (again, if it is sent a second time after a refresh). */
  onSent?: () => void;
}

export interface ApiClient {
  readonly baseUrl: string;
  /** Sends a request to `path` (relative to the base URL); error answers become CodevfErrors. */
  request<T = unknown>(method: string, path: string, options?: RequestOptions<T>): Promise<T>;
  get<T = unknown>(path: string, options?: RequestOptions<T>): Promise<T>;
  post<T = unknown>(path: string, json?: unknown, options?: RequestOptions<T>): Promise<T>;
  /** The stored login if it belongs to this server, else null. */
  currentLogin(): Promise<StoredAuth | null>;
  /** A valid access token (refreshed first when close to expiry), e.g. for a WebSocket header. */
  accessToken(): Promise<string>;
  /** Sends a form to an OAuth endpoint and returns the raw answer: OAuth errors are data there. */
  oauthForm(url: string, form: Record<string, string>, options?: { timeoutMs?: number }): Promise<OAuthAnswer>;
}

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

const DEFAULT_REFRESH_MARGIN_MS = 60_000;

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { baseUrl, authStore } = options;
  const transport = options.transport ?? nodeTransport;
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  let login: StoredAuth | null | undefined;
  // Single flight: every request that finds the token stale awaits this one promise.
  let refreshing: Promise<StoredAuth> | undefined;

  const send = (
    method: string,
    url: string,
    headers: Record<string, string>,
    body: HttpRequestBody,
    timeoutMs?: number,
    onSent?: () => void,
  ) =>
    transport({
      method,
      url,
      headers: { accept: 'application/json', 'user-agent': 'codevf-cli', ...headers },
      body,
      timeoutMs: timeoutMs ?? options.timeoutMs,
      signal: options.signal,
      onSent,
    });

  async function currentLogin(): Promise<StoredAuth | null> {
    if (login === undefined) {
      const stored = await authStore.read();
      // Tokens go only to the server that issued them; another address means "not logged in there".
      login = stored && sameServer(stored.baseUrl, baseUrl) ? stored : null;
    }
    return login;
  }

  async function requireLogin(): Promise<StoredAuth> {
    const current = await currentLogin();
    if (current) return current;
    const stored = await authStore.read();
    if (stored) {
      throw new CodevfError('E_NOT_LOGGED_IN', `You are logged in to ${stored.baseUrl}, not to ${baseUrl}.`, {
        hint: `Run: codevf login --force --base-url ${baseUrl}`,
      });
    }
    throw new CodevfError('E_NOT_LOGGED_IN', 'You are not logged in.');
  }

  const expiresSoon = (auth: StoredAuth) => Date.parse(auth.expiresAt) - now() < margin;

  function refresh(staleAccessToken: string): Promise<StoredAuth> {
    refreshing ??= doRefresh(staleAccessToken).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  function doRefresh(staleAccessToken: string): Promise<StoredAuth> {
    return authStore.withLock(async () => {
      const onDisk = await authStore.read();
      if (!onDisk || !sameServer(onDisk.baseUrl, baseUrl)) {
        login = null;
        throw new CodevfError('E_NOT_LOGGED_IN', 'You were logged out while this command ran.');
      }
      // Another codevf process may have rotated the tokens while we waited for the lock.
      if (onDisk.accessToken !== staleAccessToken && !expiresSoon(onDisk)) {
        login = onDisk;
        return onDisk;
      }
      const answer = await oauthForm(`${baseUrl}/oauth/token`, {
        grant_type: 'refresh_token',
        refresh_token: onDisk.refreshToken,
        client_id: CLI_CLIENT_ID,
      });
      if (answer.status !== 200) {
        const error = answer.body.error;
        if (error === 'invalid_grant' || answer.status === 401) {
          throw new CodevfError('E_UNAUTHORIZED', 'Your login has expired or was revoked.');
        }
        throw problemToError(answer.status, JSON.stringify(answer.body), 'Refreshing the login');
      }
      const tokens = readTokenAnswer(answer.body);
      const next: StoredAuth = {
        ...onDisk,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: new Date(now() + tokens.expiresIn * 1000).toISOString(),
      };
      await authStore.write(next);
      login = next;
      return next;
    });
  }

  async function accessToken(): Promise<string> {
    const auth = await requireLogin();
    if (!expiresSoon(auth)) return auth.accessToken;
    return (await refresh(auth.accessToken)).accessToken;
  }

  async function oauthForm(url: string, form: Record<string, string>, opts: { timeoutMs?: number } = {}) {
    const res = await send(
      'POST',
      url,
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams(form).toString(),
      opts.timeoutMs,
    );
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(res.text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      if (res.status < 400) throw new CodevfError('E_INTERNAL', `The server's answer from ${url} is not JSON.`);
    }
    return { status: res.status, body };
  }

  async function request<T>(method: string, path: string, opts: RequestOptions<T> = {}): Promise<T> {
    const url = `${baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
    const headers: Record<string, string> = {};
    let body: HttpRequestBody;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.body) {
      headers['content-type'] = opts.body.contentType;
      body = opts.body.data;
    }
    const useAuth = opts.auth ?? true;
    // A stream can be sent once only, so a request with one is not retried after a 401.
    const replayable = !(opts.body && typeof opts.body.data === 'object' && !(opts.body.data instanceof Uint8Array));

    // With a bearer token, or none at all.
    const sendAs = (token: string | undefined) =>
      send(
        method,
        url,
        token ? { ...headers, authorization: `Bearer ${token}` } : headers,
        body,
        opts.timeoutMs,
        opts.onSent,
      );
    let res: HttpResponse;
    if (opts.accessToken) {
      res = await sendAs(opts.accessToken);
    } else if (!useAuth) {
      res = await sendAs(undefined);
    } else {
      const token = await accessToken();
      res = await sendAs(token);
      if (res.status === 401 && replayable) {
        // A parallel request may have refreshed already; only refresh if we still hold the token that failed.
        const current = login?.accessToken;
        const retryToken = current && current !== token ? current : (await refresh(token)).accessToken;
        res = await sendAs(retryToken);
      }
      if (res.status === 401) {
        const error = problemToError(res.status, res.text, `${method} ${path}`);
        throw new CodevfError('E_UNAUTHORIZED', 'The server rejected your login: it expired or was revoked.', {
          cause: error,
        });
      }
    }
    if (res.status < 200 || res.status >= 300) throw problemToError(res.status, res.text, `${method} ${path}`);
    let value: unknown;
    if (res.status === 204 || res.text === '') value = undefined;
    else {
      try {
        value = JSON.parse(res.text);
      } catch {
        throw new CodevfError('E_INTERNAL', `The server's answer to ${method} ${path} is not JSON.`);
      }
    }
    if (!opts.parse) return value as T;
    try {
      return opts.parse(value);
    } catch (err) {
      throw new CodevfError('E_INTERNAL', `Unexpected answer from the server to ${method} ${path}.`, {
        cause: err,
        hint: 'The server and this CLI may be different versions; update the CLI.',
      });
    }
  }

  return {
    baseUrl,
    request,
    get: (path, opts) => request('GET', path, opts),
    post: (path, json, opts) => request('POST', path, { ...opts, json }),
    currentLogin,
    accessToken,
    oauthForm,
  };
}

type HttpRequestBody = string | Uint8Array | Readable | undefined;

/** Compares two server addresses after normalisation (case of host, trailing slash). */
export function sameServer(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const url = new URL(u);
      return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/** Checks an RFC 6749 §5.1 answer by hand (this runs on refresh, a fast path that avoids zod). */
export function readTokenAnswer(body: Record<string, unknown>): {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
} {
  const { access_token, refresh_token, expires_in, token_type } = body;
  if (
    typeof access_token !== 'string' ||
    !access_token ||
    typeof refresh_token !== 'string' ||
    !refresh_token ||
    typeof expires_in !== 'number' ||
    !(expires_in > 0) ||
    (typeof token_type === 'string' && token_type.toLowerCase() !== 'bearer')
  ) {
    throw new CodevfError('E_INTERNAL', 'The server sent an unexpected token answer.');
  }
  return { accessToken: access_token, refreshToken: refresh_token, expiresIn: expires_in };
}
