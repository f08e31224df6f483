/** A client message id: what `id` may be on a frame, and in an `ack`. */
export const MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest `type` and `timestamp` an envelope may carry. */
export const MAX_TYPE_CHARS = 64;
export const MAX_TIMESTAMP_CHARS = 64;

/** The envelope of every frame, before the payload is checked against its type (docs/PROTOCOL.md §3). */
export interface Frame {
  type: string;
  timestamp: string;
  payload: Record<string, unknown>;
  seq?: number;
  id?: string;
}

export type FrameCheck = { ok: true; frame: Frame } | { ok: false; issue: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the envelope of a parsed frame: `type` (1–64 characters), `timestamp` (at most 64),
 * `payload` (an object), and when present a positive integer `seq` and an `id` matching
 * MESSAGE_ID. Returns the frame itself, unknown keys and all (nothing reads them), or the
 * first problem as "field: what is wrong".
 *
 * Decision: written by hand, not as a zod schema like the payloads. Every relayed message
 * passes through it, and zod copied the frame and its payload on every parse (garbage that
 * made the server's GC pauses more frequent; BENCHMARKS.md, eighth round). The envelope is
 * small and fixed, so the hand-written form stays readable; the payloads, one schema per
 * message type, stay zod.
 */
export function readFrame(raw: unknown): FrameCheck {
  if (!isRecord(raw)) return { ok: false, issue: '(frame): expected a JSON object' };
  const { type, timestamp, payload, seq, id } = raw;
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_CHARS)
    return { ok: false, issue: `type: expected a string of 1 to ${MAX_TYPE_CHARS} characters` };
  if (typeof timestamp !== 'string' || timestamp.length > MAX_TIMESTAMP_CHARS)
    return { ok: false, issue: `timestamp: expected a string of at most ${MAX_TIMESTAMP_CHARS} characters` };
  if (!isRecord(payload)) return { ok: false, issue: 'payload: expected an object' };
  if (seq !== undefined && !(Number.isSafeInteger(seq) && (seq as number) > 0))
    return { ok: false, issue: 'seq: expected a positive integer' };
  if (id !== undefined && !(typeof id === 'string' && MESSAGE_ID.test(id)))
    return { ok: false, issue: 'id: expected 1 to 64 letters, digits, "_" or "-"' };
  return { ok: true, frame: raw as unknown as Frame };
}
