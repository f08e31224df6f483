import { hash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

/** The fields of a persisted event that the audit chain covers. */
export interface ChainedEvent extends ChainedFields {
  payload: unknown;
}

/** The same, without the payload (given as its canonical JSON instead). */
export interface ChainedFields {
  taskId: string;
  seq: number;
  type: string;
  timestamp: string;
  senderId: string | null;
}

/**
 * Canonical JSON (keys sorted at every level), so anyone holding the transcript from
 * `GET /v1/tasks/:id/events` can recompute every hash without knowing how we stored it.
 */
export function canonicalJson(value: unknown): string {
  const text = stringify(value);
  if (typeof text !== 'string') throw new Error('value is not JSON-serialisable');
  return text;
}

/**
 * The text an event's hash covers: canonical JSON of {taskId, seq, type, timestamp, senderId,
 * payload}. Written out field by field in canonicalJson's (sorted) key order around the
 * payload's canonical text, which is already at hand when an event is appended — the same
 * bytes as canonicalJson of the whole object (a test holds the two together) without
 * serialising the payload twice.
 */
export function canonicalEventBody(event: ChainedEvent): string;
export function canonicalEventBody(event: ChainedFields, payloadJson: string): string;
export function canonicalEventBody(event: ChainedFields & { payload?: unknown }, payloadJson?: string): string {
  payloadJson ??= canonicalJson(event.payload);
  const str = JSON.stringify;
  return `{"payload":${payloadJson},"senderId":${str(event.senderId)},"seq":${str(event.seq)},"taskId":${str(event.taskId)},"timestamp":${str(event.timestamp)},"type":${str(event.type)}}`;
}

/**
 * hash(n) = sha256(hash(n-1) + "\n" + canonical(event n)), with hash(0) = "" — each hash
 * covers the whole history before it, so editing, removing or reordering any stored event
 * breaks every later link. The task id is inside the event, so events cannot be moved
 * between tasks either. `payloadJson`, when given, is canonicalJson(event.payload).
 */
export function eventHash(prevHash: string | null, event: ChainedEvent): string;
export function eventHash(prevHash: string | null, event: ChainedFields, payloadJson: string): string;
export function eventHash(
  prevHash: string | null,
  event: ChainedFields & { payload?: unknown },
  payloadJson?: string,
): string {
  payloadJson ??= canonicalJson(event.payload);
  // One-shot, not createHash(): a Hash object is a C++ object the GC must finalise, and one per
  // relayed message made a large share of every young-generation pause.
  return hash('sha256', `${prevHash ?? ''}\n${canonicalEventBody(event, payloadJson)}`, 'hex');
}

export interface ChainVerdict {
  verified: boolean;
  /** First seq whose stored hash (or position) does not match; null when the chain verifies. */
  brokenAtSeq: number | null;
  /** Hash of the last event as recomputed; null for an empty log. */
  headHash: string | null;
}

/**
 * Recomputes the chain over a task's complete log (ascending seq from 1) and compares with the
 * stored hashes, the gap-free numbering and, when given, the head recorded on the task row.
 */
export function verifyChain(
  events: readonly (ChainedEvent & { hash: string })[],
  expectedHead?: { lastSeq: number; headHash: string | null },
): ChainVerdict {
  let prev: string | null = null;
  for (const [i, ev] of events.entries()) {
    if (ev.seq !== i + 1) return { verified: false, brokenAtSeq: i + 1, headHash: prev };
    const h: string = eventHash(prev, ev);
    if (h !== ev.hash) return { verified: false, brokenAtSeq: ev.seq, headHash: prev };
    prev = h;
  }
  if (expectedHead && (expectedHead.lastSeq !== events.length || expectedHead.headHash !== prev)) {
    // Events were removed from the end (or the head was rewritten): the log is shorter than recorded.
    return { verified: false, brokenAtSeq: Math.min(events.length, expectedHead.lastSeq) + 1, headHash: prev };
  }
  return { verified: true, brokenAtSeq: null, headHash: prev };
}
