import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventsResponse, SessionEvent } from '@codevf/protocol';
import type { Kysely } from 'kysely';
import type { Database, TaskEventRow } from '../storage/schema';
import { eventFromRow } from '../tasks/eventLog';
import { ChainVerifier } from './hashChain';

/** Events per page of `GET /v1/tasks/:id/events` when `limit` is not given, and at most. */
export const PAGE_DEFAULT = 1000;
export const PAGE_MAX = 5000;
/** Rows read and hashed in one go; the event loop is given back between batches. */
const BATCH = 1000;

export interface TranscriptQuery {
  /** Return events with seq > after … */
  after: number;
  /** … at most this many. */
  limit: number;
  /** 'full' verifies the whole log from seq 1, whatever the checkpoint says. */
  verify: 'page' | 'full';
}

/**
 * One page of a task's transcript, with the verdict on its hash chain from seq 1 through the
 * page's last event.
 *
 * Why a checkpoint: a page is only as trustworthy as everything before it, but re-hashing the
 * whole log on every read cost 250–500 ms at 3,000 events, with the server's event loop held
 * throughout. So each task keeps one checkpoint (transcript_checkpoints): the highest seq whose
 * chain a read verified from seq 1, and the hash it computed there. A read verifies
 *  - from the checkpoint, when the page starts after it: the events in between are hashed once
 *    (in batches, yielding between them), then the page, and the checkpoint moves to the
 *    page's end — so paging forward, or polling the tail, hashes each event once in all;
 *  - from the stored hash of the page's predecessor, when the checkpoint already covers it:
 *    only the page is hashed, and where the page passes the checkpoint its hash there must be
 *    the one verified before (a log rewritten consistently from some earlier point, head and
 *    all, is caught there).
 * What this does not see: a stored event at or below the checkpoint, outside the page, edited
 * after the checkpoint was taken. Every page that contains it still reports it, and so does
 * `verify: 'full'` (the whole log from seq 1, as every read did before), which the audit uses.
 * A break found at or below the checkpoint drops it, so later pages verify from seq 1 and
 * report the break too; a checkpoint whose own hash no longer matches is kept, as the evidence.
 */
export async function readTranscript(
  db: Kysely<Database>,
  taskId: string,
  { after, limit, verify }: TranscriptQuery,
): Promise<EventsResponse> {
  // Head first, then the rows: an append commits both together, so every event up to this head
  // is already visible; events past it (committed meanwhile) are left for the next read.
  const head = await db
    .selectFrom('tasks')
    .select(['last_seq', 'head_hash'])
    .where('id', '=', taskId)
    .executeTakeFirst();
  const lastSeq = Number(head?.last_seq ?? 0);
  const pageFrom = Math.min(after, lastSeq);
  const pageTo = Math.min(after + limit, lastSeq);
  const saved = await db
    .selectFrom('transcript_checkpoints')
    .select(['seq', 'hash'])
    .where('task_id', '=', taskId)
    .executeTakeFirst();
  const checkpoint = saved ? { seq: Number(saved.seq), hash: saved.hash } : { seq: 0, hash: null };

  // Where hashing starts, and whether the hash there is one we verified (or seq 0's).
  let start = { seq: 0, hash: null as string | null };
  let trusted = true;
  if (verify === 'page' && checkpoint.seq <= pageFrom) start = checkpoint;
  else if (verify === 'page') {
    start = { seq: pageFrom, hash: pageFrom === 0 ? null : await storedHash(db, taskId, pageFrom) };
    trusted = pageFrom === 0;
  }
  const until = verify === 'full' ? lastSeq : pageTo;

  const chain = new ChainVerifier(start.hash, start.seq + 1);
  if (start.seq > 0 && start.hash === null) chain.breakAt(start.seq); // the page's predecessor is gone
  /** Whether the checkpoint itself is the evidence of a break (then it stays). */
  let checkpointMismatch = false;
  if (checkpoint.seq > lastSeq) {
    // The log is shorter than a read already verified: events were removed from its end.
    chain.breakAt(lastSeq + 1);
    checkpointMismatch = true;
  }
  /** The furthest seq verified link by link from a trusted hash, and its hash. */
  let reach = trusted ? { seq: start.seq, hash: start.hash } : null;
  const events: SessionEvent[] = [];
  for await (const rows of batches(db, taskId, start.seq, until)) {
    for (const row of rows) {
      const ev = eventFromRow(row);
      if (chain.pushStored(ev, row.payload) && ev.seq === checkpoint.seq) {
        if (chain.headHash === checkpoint.hash) reach ??= { seq: ev.seq, hash: ev.hash };
        else {
          chain.breakAt(ev.seq);
          checkpointMismatch = true;
        }
      }
      if (chain.verified && reach) reach = { seq: ev.seq, hash: ev.hash };
      if (ev.seq > after && ev.seq <= pageTo) events.push(toSessionEvent(row));
    }
    // Broken before the page: the rest of the gap need not be hashed, only the page read.
    if (!chain.verified && Number(rows.at(-1)?.seq ?? until) < pageFrom) {
      for await (const page of batches(db, taskId, pageFrom, pageTo)) {
        for (const row of page) events.push(toSessionEvent(row));
      }
      break;
    }
  }
  // Events missing from the end of the range; then the head recorded on the task.
  if (chain.verified && chain.nextSeq !== until + 1) chain.breakAt(chain.nextSeq);
  if (chain.verified && until === lastSeq && chain.headHash !== (head?.head_hash ?? null)) {
    chain.breakAt(lastSeq + 1);
  }

  const broken = chain.brokenAtSeq;
  if (broken !== null && broken <= checkpoint.seq && !checkpointMismatch) {
    await db.deleteFrom('transcript_checkpoints').where('task_id', '=', taskId).where('seq', '>=', broken).execute();
    checkpoint.seq = 0;
  }
  if (reach && reach.seq > checkpoint.seq && reach.hash !== null) await advance(db, taskId, reach.seq, reach.hash);

  const nextAfter = Math.max(after, pageTo);
  return { events, chain: chain.verdict(), nextAfter, hasMore: nextAfter < lastSeq };
}

/** Rows with seq in (from, to], ascending, a batch at a time. */
async function* batches(db: Kysely<Database>, taskId: string, from: number, to: number) {
  for (let lo = from; lo < to; lo += BATCH) {
    if (lo > from) await nextTurn();
    yield await db
      .selectFrom('task_events')
      .selectAll()
      .where('task_id', '=', taskId)
      .where('seq', '>', lo)
      .where('seq', '<=', Math.min(lo + BATCH, to))
      .orderBy('seq', 'asc')
      .execute();
  }
}

async function storedHash(db: Kysely<Database>, taskId: string, seq: number): Promise<string | null> {
  const row = await db
    .selectFrom('task_events')
    .select('hash')
    .where('task_id', '=', taskId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row?.hash ?? null;
}

/** Moves the checkpoint forward (never back: a concurrent read may have gone further). */
async function advance(db: Kysely<Database>, taskId: string, seq: number, hash: string): Promise<void> {
  await db
    .insertInto('transcript_checkpoints')
    .values({ task_id: taskId, seq, hash, verified_at: new Date().toISOString() })
    .onConflict((oc) =>
      oc
        .column('task_id')
        .doUpdateSet((eb) => ({
          seq: eb.ref('excluded.seq'),
          hash: eb.ref('excluded.hash'),
          verified_at: eb.ref('excluded.verified_at'),
        }))
        .where('transcript_checkpoints.seq', '<', (eb) => eb.ref('excluded.seq')),
    )
    .execute();
}

function toSessionEvent(row: TaskEventRow): SessionEvent {
  const e = eventFromRow(row);
  return {
    seq: e.seq,
    type: e.type,
    timestamp: e.timestamp,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    senderId: e.senderId,
    hash: e.hash,
  };
}
