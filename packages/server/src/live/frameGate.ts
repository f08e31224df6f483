import { type ErrorCode, type Frame, MESSAGE_ID, maxFrameBytes, readFrame } from '@codevf/protocol';
import type { RawData } from 'ws';

/** Messages a client may have waiting for processing before it is told to slow down. */
export const MAX_QUEUED = 256;

/** What the gate says of a frame: let in, or refused with the error to send back. */
export type GateVerdict = { frame: Frame } | { code: ErrorCode; message: string; id?: string };

/** A frame's `id` if one can be read, so that even a refused frame's error names its message. */
function idOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && MESSAGE_ID.test(id) ? id : undefined;
}

/**
 * Everything that can be decided about an incoming frame without the database: text, size
 * for its type, JSON, envelope, and whether the sender already has `queued` frames waiting.
 */
export function checkFrame(data: RawData, isBinary: boolean, queued: number): GateVerdict {
  if (isBinary) return { code: 'E_VALIDATION', message: 'Frames must be JSON text, not binary.' };
  // A text frame arrives as one Buffer; the other shapes are converted (without a copy when possible).
  const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  const text = buf.toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const limit = maxFrameBytes((raw as { type?: unknown } | undefined)?.type as string | undefined);
  if (buf.length > limit) {
    return {
      code: 'E_TOO_LARGE',
      message: `A frame of this type may be at most ${limit} bytes; this one has ${buf.length}.`,
      id: idOf(raw),
    };
  }
  if (raw === undefined) return { code: 'E_VALIDATION', message: 'The frame is not valid JSON.' };
  const envelope = readFrame(raw);
  if (!envelope.ok) return { code: 'E_VALIDATION', message: `Malformed frame: ${envelope.issue}`, id: idOf(raw) };
  if (queued >= MAX_QUEUED) {
    return { code: 'E_RATE_LIMITED', message: 'Too many messages in flight; wait for acks.', id: envelope.frame.id };
  }
  return { frame: envelope.frame };
}
