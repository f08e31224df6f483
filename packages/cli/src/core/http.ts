import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { CodevfError, interrupted } from './errors';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A string, bytes, or a stream (uploads are piped, never buffered whole). */
  body?: string | Uint8Array | Readable;
  /** Longest silence allowed (connecting, or between bytes) before E_TIMEOUT. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Answers larger than this are refused with E_TOO_LARGE. */
  maxResponseBytes?: number;
  /** Called once the whole request has been handed to the operating system. */
  onSent?: () => void;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Sends one HTTP request. Injected into the API client so tests can count or reroute calls. */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Errors that mean "nothing answered at that address": exit 5 with a hint about the address. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/**
 * node:http rather than fetch: fetch pulls in undici on first use, which costs more than the
 * whole rest of `codevf whoami`'s start-up. It also never follows redirects, so a bearer token
 * cannot be forwarded to another host.
 */
export const nodeTransport: Transport = async (request) => {
  const url = new URL(request.url);
  // getBuiltinModule, not import(): an ES import of node:http reads every export to build the
  // module namespace, and http.WebSocket's getter loads undici (50–200 ms before the first request).
  const lib = process.getBuiltinModule(url.protocol === 'https:' ? 'node:https' : 'node:http');
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const signal = request.signal;
  if (signal?.aborted) throw interrupted();

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const fail = (err: CodevfError) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(signal?.reason instanceof CodevfError ? signal.reason : interrupted());

    const headers: Record<string, string> = { ...request.headers };
    const body = request.body;
    if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
    else if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength);

    const req = lib.request(url, { method: request.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          fail(
            new CodevfError('E_TOO_LARGE', `The server's answer to ${request.method} ${url.pathname} is too large.`),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => fail(transportError(err, url)));
    });
    req.setTimeout(timeoutMs, () =>
      fail(new CodevfError('E_TIMEOUT', `${url.host} did not answer within ${Math.round(timeoutMs / 1000)} s.`)),
    );
    req.on('error', (err) => fail(transportError(err, url)));
    if (request.onSent) req.once('finish', request.onSent);
    signal?.addEventListener('abort', onAbort, { once: true });

    if (body === undefined) req.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
    else {
      body.on('error', (err) => fail(toCodevf(err)));
      body.pipe(req);
    }
  });
};

function toCodevf(err: unknown): CodevfError {
  return err instanceof CodevfError ? err : new CodevfError('E_INTERNAL', (err as Error).message, { cause: err });
}

function transportError(err: NodeJS.ErrnoException, url: URL): CodevfError {
  if (err.code && UNREACHABLE.has(err.code)) {
    return new CodevfError('E_UNREACHABLE', `Cannot reach the CodeVF server at ${url.origin} (${err.code}).`, {
      cause: err,
    });
  }
  if (err.code === 'ETIMEDOUT') {
    return new CodevfError('E_TIMEOUT', `${url.host} did not answer in time.`, { cause: err });
  }
  if (err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT')) {
    return new CodevfError('E_UNREACHABLE', `TLS connection to ${url.host} failed (${err.code}).`, {
      cause: err,
      hint: 'Check the server address; the certificate is not trusted for it.',
    });
  }
  return toCodevf(err);
}
