import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { CONTENT_SHA256_HEADER, SnapshotResult } from '@codevf/protocol';
import type { CommandContext } from '../core/command';
import { CodevfError } from '../core/errors';
import { nodeTransport } from '../core/http';
import { problemToError } from '../core/problem';

export interface UploadOptions {
  /** API path, e.g. /v1/projects/<id>/snapshot. */
  path: string;
  file: string;
  bytes: number;
  sha256: string;
  contentType: 'application/gzip' | 'application/octet-stream';
  onProgress?: (sent: number, total: number) => void;
}

/**
 * PUTs a file as a streamed body with its length and sha256 (the server verifies the hash and
 * keeps nothing on a mismatch). A streamed body cannot be replayed, so the access token is
 * refreshed first, if it is near expiry, rather than retried after a 401.
 */
export async function uploadBlob(ctx: CommandContext, options: UploadOptions): Promise<SnapshotResult> {
  const api = await ctx.api();
  const token = await api.accessToken();
  let sent = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      options.onProgress?.(sent, options.bytes);
      cb(null, chunk);
    },
  });
  const body = createReadStream(options.file).pipe(meter);
  const res = await nodeTransport({
    method: 'PUT',
    url: `${api.baseUrl}${options.path}`,
    headers: {
      accept: 'application/json',
      'user-agent': 'codevf-cli',
      authorization: `Bearer ${token}`,
      'content-type': options.contentType,
      'content-length': String(options.bytes),
      [CONTENT_SHA256_HEADER]: options.sha256,
    },
    body,
    // Idle time, not total time: a large upload on a slow link keeps the socket busy.
    timeoutMs: 60_000,
    signal: ctx.signal,
  });
  if (res.status < 200 || res.status >= 300) throw problemToError(res.status, res.text, `PUT ${options.path}`);
  try {
    return SnapshotResult.parse(JSON.parse(res.text));
  } catch (err) {
    throw new CodevfError('E_INTERNAL', `Unexpected answer from the server to PUT ${options.path}.`, { cause: err });
  }
}
