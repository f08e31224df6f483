import { PassThrough, Readable } from 'node:stream';
import { CONTENT_SHA256_HEADER, type SnapshotResult } from '@codevf/protocol';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { newId } from '../ids';
import type { ProjectRow } from '../storage/schema';
import { recordUpload, type UploadKind } from './projectService';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Streams an upload body into the blob store and keeps it only if it is whole, within the
 * limit, and hashes to the sha256 the client announced. The blob store already removes a
 * partial file when the body is cut off or too large; a hash mismatch removes the stored one.
 */
export async function receiveUpload(
  ctx: AppContext,
  request: FastifyRequest,
  project: ProjectRow,
  kind: UploadKind,
): Promise<SnapshotResult> {
  if (Number(project.uploads_allowed) !== 1) {
    throw new ApiError('E_FORBIDDEN', 'This project did not opt in to code uploads (run codevf init to change that).');
  }
  const body = request.body;
  if (!(body instanceof Readable)) {
    throw new ApiError(
      'E_VALIDATION',
      `Send the ${kind} as the raw request body (application/gzip or application/octet-stream).`,
    );
  }
  const announced = request.headers[CONTENT_SHA256_HEADER];
  if (typeof announced !== 'string' || !SHA256_HEX.test(announced)) {
    throw new ApiError(
      'E_VALIDATION',
      `The ${CONTENT_SHA256_HEADER} header must hold the body's sha256 as 64 hex digits.`,
    );
  }
  const limit = ctx.config.uploadLimitBytes;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new ApiError('E_TOO_LARGE', `The ${kind} is ${declared} bytes; the limit is ${limit} bytes.`);
  }

  const id = newId();
  const blobKey = `projects/${project.id}/${kind}s/${id}`;
  // The blob store destroys the stream it reads when it gives up (over the limit). Reading
  // through a relay keeps that from destroying the request itself, so the client still gets
  // the 413 answer (and the connection closes after it instead of draining the rest).
  const relay = new PassThrough();
  const cutOff = () => {
    if (!body.readableEnded) relay.destroy(new ApiError('E_VALIDATION', `The ${kind} upload was interrupted.`));
  };
  body.once('error', cutOff);
  body.once('close', cutOff);
  body.pipe(relay);
  let stored: { bytes: number; sha256: string };
  try {
    stored = await ctx.blobs.put(blobKey, relay, { maxBytes: limit });
  } catch (err) {
    body.unpipe(relay);
    if (err instanceof ApiError && err.code === 'E_TOO_LARGE') {
      throw new ApiError('E_TOO_LARGE', err.message, { headers: { connection: 'close' } });
    }
    throw err;
  } finally {
    body.off('error', cutOff);
    body.off('close', cutOff);
  }
  if (stored.sha256 !== announced) {
    await ctx.blobs.delete(blobKey);
    throw new ApiError(
      'E_VALIDATION',
      `The ${kind} arrived damaged: its sha256 does not match ${CONTENT_SHA256_HEADER}.`,
    );
  }
  try {
    await recordUpload(ctx, project.id, kind, { id, bytes: stored.bytes, sha256: stored.sha256, blobKey });
  } catch (err) {
    await ctx.blobs.delete(blobKey);
    throw err;
  }
  return { snapshotId: id, bytes: stored.bytes, sha256: stored.sha256 };
}
