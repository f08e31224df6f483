import type { EventsResponse } from '@codevf/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema';
import { eventFromRow } from '../tasks/eventLog';
import { verifyChain } from './hashChain';

/**
 * A task's transcript after `after`, with the verdict on its whole hash chain (the chain is
 * always checked from seq 1 — a later page is only as trustworthy as everything before it).
 */
export async function readTranscript(db: Kysely<Database>, taskId: string, after: number): Promise<EventsResponse> {
  // Head first, then the rows: an append commits both together, so every event up to this head
  // is already visible; events past it (committed meanwhile) are left for the next read.
  const head = await db
    .selectFrom('tasks')
    .select(['last_seq', 'head_hash'])
    .where('id', '=', taskId)
    .executeTakeFirst();
  const lastSeq = Number(head?.last_seq ?? 0);
  const rows = await db
    .selectFrom('task_events')
    .selectAll()
    .where('task_id', '=', taskId)
    .where('seq', '<=', lastSeq)
    .orderBy('seq', 'asc')
    .execute();
  // The chain is verified from the parsed payloads, re-canonicalised: a stored text that was
  // edited, even into an equivalent form, no longer matches its hash.
  const all = rows.map((row) => ({
    ...eventFromRow(row),
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  }));
  const chain = verifyChain(all, head ? { lastSeq, headHash: head.head_hash } : undefined);
  return {
    events: all
      .filter((e) => e.seq > after)
      .map((e) => ({
        seq: e.seq,
        type: e.type,
        timestamp: e.timestamp,
        payload: e.payload,
        senderId: e.senderId,
        hash: e.hash,
      })),
    chain,
  };
}
