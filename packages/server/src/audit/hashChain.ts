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
 * Checks stored events one at a time, in order, against the chain, starting after a hash that
 * is already trusted (null before seq 1): each must be the next seq and carry the hash
 * recomputed from the one before. The first mismatch is final. Lets a caller verify a log in
 * batches, or from a point part way along it (audit/transcript.ts).
 */
export class ChainVerifier {
  brokenAtSeq: number | null = null;

  /** `headHash`: the hash of event `nextSeq - 1`; after each accepted event, that event's. */
  constructor(
    public headHash: string | null,
    public nextSeq: number,
  ) {}

  get verified(): boolean {
    return this.brokenAtSeq === null;
  }

  /** Accepts `ev` if it is the next link of the chain; false once the chain is broken. */
  push(ev: ChainedEvent & { hash: string }): boolean {
    return this.link(ev, (prev) => eventHash(prev, ev) === ev.hash);
  }

  /**
   * The same for an event as stored, given its payload's stored text. That text is hashed as
   * it is first, which skips parsing and re-serialising: it matches only if the text is, byte
   * for byte, the canonical JSON hashed when the event was appended. Any other text is judged
   * as push judges it, on the parsed payload re-canonicalised — so the verdict is push's.
   */
  pushStored(ev: ChainedFields & { hash: string }, payloadText: string): boolean {
    return this.link(ev, (prev) => {
      if (eventHash(prev, ev, payloadText) === ev.hash) return true;
      let canonical: string;
      try {
        canonical = canonicalJson(JSON.parse(payloadText));
      } catch {
        return false;
      }
      return eventHash(prev, ev, canonical) === ev.hash;
    });
  }

  private link(ev: { seq: number; hash: string }, hashMatches: (prev: string | null) => boolean): boolean {
    if (this.brokenAtSeq !== null) return false;
    if (ev.seq !== this.nextSeq) {
      this.brokenAtSeq = this.nextSeq;
      return false;
    }
    if (!hashMatches(this.headHash)) {
      this.brokenAtSeq = ev.seq;
      return false;
    }
    this.headHash = ev.hash;
    this.nextSeq++;
    return true;
  }

  /** Records a break found by a check outside the links (the recorded head, a checkpoint). */
  breakAt(seq: number): void {
    this.brokenAtSeq ??= seq;
  }

  verdict(): ChainVerdict {
    return { verified: this.verified, brokenAtSeq: this.brokenAtSeq, headHash: this.headHash };
  }
}

/**
 * Recomputes the chain over a task's complete log (ascending seq from 1) and compares with the
 * stored hashes, the gap-free numbering and, when given, the head recorded on the task row.
 */
export function verifyChain(
  events: readonly (ChainedEvent & { hash: string })[],
  expectedHead?: { lastSeq: number; headHash: string | null },
): ChainVerdict {
  const chain = new ChainVerifier(null, 1);
  for (const ev of events) if (!chain.push(ev)) break;
  if (
    chain.verified &&
    expectedHead &&
    (expectedHead.lastSeq !== events.length || expectedHead.headHash !== chain.headHash)
  ) {
    // Events were removed from the end (or the head was rewritten): the log is shorter than recorded.
    chain.breakAt(Math.min(events.length, expectedHead.lastSeq) + 1);
  }
  return chain.verdict();
}
