import type { EventsResponse } from '@codevf/protocol';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { eventHash } from '../src/audit/hashChain';
import { api } from './support/api';
import { bothLeave, liveSession } from './support/liveFixture';
import { useLiveServer } from './support/liveSuite';

describe.each(['sqlite', 'postgres'] as const)('transcript pages and the verification checkpoint (%s)', (dialect) => {
  const live = useLiveServer({ dialect });

  /** An ended-for-good live session with `n` chat messages; its id and its event count. */
  async function sessionWith(n: number): Promise<{ taskId: string; total: number }> {
    const { task, c, e } = await liveSession(live.server, live.customer, live.engineer);
    for (let i = 0; i < n; i++) {
      await (i % 2 ? e : c).expectAck(i % 2 ? 'engineer_message' : 'customer_message', { text: `m${i}` });
    }
    await bothLeave(live.server, task.id, c, e);
    const head = await live.server.ctx.storage.db
      .selectFrom('tasks')
      .select('last_seq')
      .where('id', '=', task.id)
      .executeTakeFirstOrThrow();
    return { taskId: task.id, total: Number(head.last_seq) };
  }
  const read = async (taskId: string, query: string) => {
    const r = await api<EventsResponse>(
      live.server.baseUrl,
      live.customer,
      'GET',
      `/v1/tasks/${taskId}/events${query}`,
    );
    expect(r.status).toBe(200);
    return r.body;
  };
  const seqs = (body: EventsResponse) => body.events.map((x) => x.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const checkpoint = async (taskId: string) => {
    const row = await live.server.ctx.storage.db
      .selectFrom('transcript_checkpoints')
      .select(['seq', 'hash'])
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
  };
  const setPayload = (taskId: string, seq: number, payload: string) =>
    sql`update task_events set payload = ${payload} where task_id = ${taskId} and seq = ${seq}`.execute(
      live.server.ctx.storage.db,
    );
  const setText = (taskId: string, seq: number, text: string) => setPayload(taskId, seq, JSON.stringify({ text }));
  const storedPayload = async (taskId: string, seq: number) =>
    (
      await live.server.ctx.storage.db
        .selectFrom('task_events')
        .select('payload')
        .where('task_id', '=', taskId)
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow()
    ).payload;

  it('pages with limit and nextAfter, the pages make up the whole transcript, and the checkpoint follows them', async () => {
    const { taskId, total } = await sessionWith(24);
    expect(total).toBeGreaterThan(25);
    expect(await checkpoint(taskId)).toBeUndefined();

    const pages: EventsResponse[] = [];
    let after = 0;
    for (;;) {
      const page = await read(taskId, `?after=${after}&limit=10`);
      const last = Math.min(after + 10, total);
      expect(seqs(page)).toEqual(range(after + 1, last));
      expect(page.chain).toEqual({ verified: true, brokenAtSeq: null, headHash: page.events.at(-1)!.hash });
      expect(page.nextAfter).toBe(last);
      expect(page.hasMore).toBe(last < total);
      // Only what was verified from seq 1 is recorded, and the read went exactly that far.
      expect(await checkpoint(taskId)).toEqual({ seq: last, hash: page.events.at(-1)!.hash });
      pages.push(page);
      if (!page.hasMore) break;
      after = page.nextAfter;
    }
    expect(pages).toHaveLength(Math.ceil(total / 10));

    const whole = await read(taskId, '?verify=full');
    expect(whole.events).toEqual(pages.flatMap((p) => p.events));
    expect(seqs(whole)).toEqual(range(1, total));
    expect(whole).toMatchObject({ nextAfter: total, hasMore: false, chain: { verified: true } });

    // Caught up: nothing after the head, and the verdict still covers the chain up to it.
    const tail = await read(taskId, `?after=${total}`);
    expect(tail).toEqual({
      events: [],
      chain: { verified: true, brokenAtSeq: null, headHash: whole.events.at(-1)!.hash },
      nextAfter: total,
      hasMore: false,
    });
  });

  it('finds a tampered event between the checkpoint and the page, and still returns the page', async () => {
    const { taskId } = await sessionWith(20);
    await read(taskId, '?after=0&limit=5');
    expect((await checkpoint(taskId))?.seq).toBe(5);
    const original = await storedPayload(taskId, 8);

    await setText(taskId, 8, 'not what was said');
    const page = await read(taskId, '?after=15&limit=5');
    expect(seqs(page)).toEqual(range(16, 20));
    expect(page.chain).toMatchObject({ verified: false, brokenAtSeq: 8 });
    // What did verify (seq 6 and 7) is kept; nothing past the break.
    expect((await checkpoint(taskId))?.seq).toBe(7);

    await setPayload(taskId, 8, original);
    expect((await read(taskId, '?after=15&limit=5')).chain.verified).toBe(true);
    expect((await checkpoint(taskId))?.seq).toBe(20);
  });

  it('below the checkpoint: an edit is found by every page that holds it, then by every later page, and by verify=full', async () => {
    const { taskId, total } = await sessionWith(20);
    expect((await read(taskId, '?verify=full')).chain.verified).toBe(true);
    expect((await checkpoint(taskId))?.seq).toBe(total);

    await setText(taskId, 3, 'rewritten history');
    // A page beyond the edit is not re-hashed from seq 1: it verifies (the documented limit) …
    expect((await read(taskId, '?after=10&limit=5')).chain.verified).toBe(true);
    // … a page holding it finds it, and drops the checkpoint below it …
    expect((await read(taskId, '?after=0&limit=5')).chain).toMatchObject({ verified: false, brokenAtSeq: 3 });
    expect((await checkpoint(taskId))?.seq ?? 0).toBeLessThan(3);
    expect((await read(taskId, '?verify=full&limit=1')).chain).toMatchObject({ verified: false, brokenAtSeq: 3 });
    // … so from then on every page, wherever it starts, verifies from below the edit and reports it.
    const later = await read(taskId, '?after=10&limit=5');
    expect(seqs(later)).toEqual(range(11, 15));
    expect(later.chain).toMatchObject({ verified: false, brokenAtSeq: 3 });
  });

  it('a log rewritten consistently, head and all, no longer matches the checkpoint', async () => {
    const { taskId, total } = await sessionWith(12);
    await read(taskId, '?verify=full');
    const db = live.server.ctx.storage.db;
    const rows = await db.selectFrom('task_events').selectAll().where('task_id', '=', taskId).orderBy('seq').execute();
    // Forge seq 3 and recompute every later hash and the head, as someone with the database could.
    let prev: string | null = rows[1]!.hash;
    for (const row of rows.slice(2)) {
      const payload = Number(row.seq) === 3 ? { text: 'forged' } : JSON.parse(row.payload);
      prev = eventHash(prev, {
        taskId,
        seq: Number(row.seq),
        type: row.type,
        timestamp: row.created_at,
        senderId: row.sender_id,
        payload,
      });
      await db
        .updateTable('task_events')
        .set({ payload: JSON.stringify(payload), hash: prev })
        .where('task_id', '=', taskId)
        .where('seq', '=', row.seq)
        .execute();
    }
    await db.updateTable('tasks').set({ head_hash: prev }).where('id', '=', taskId).execute();

    for (const query of ['', '?verify=full', `?after=${total - 3}`]) {
      expect((await read(taskId, query)).chain).toMatchObject({ verified: false, brokenAtSeq: total });
    }
    // The checkpoint is the evidence, so it stays.
    expect((await checkpoint(taskId))?.seq).toBe(total);
  });

  it('refuses a bad after, limit or verify with E_VALIDATION and what to send instead', async () => {
    const { taskId } = await sessionWith(0);
    const cases: [string, RegExp][] = [
      ['after=-1', /after must be 0 or more/],
      ['after=abc', /after must be a whole number/],
      ['after=1.5', /after must be a whole number/],
      ['limit=0', /limit must be a whole number from 1 to 5000/],
      ['limit=-3', /limit must be a whole number from 1 to 5000/],
      ['limit=abc', /limit must be a whole number from 1 to 5000/],
      ['limit=2.5', /limit must be a whole number from 1 to 5000/],
      ['limit=999999', /limit is at most 5000; read further pages with after=nextAfter/],
      ['verify=everything', /verify/],
    ];
    for (const [query, detail] of cases) {
      const r = await api(live.server.baseUrl, live.customer, 'GET', `/v1/tasks/${taskId}/events?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.code, query).toBe('E_VALIDATION');
      expect(r.body.detail, query).toMatch(detail);
    }
    expect((await read(taskId, '?limit=5000')).chain.verified).toBe(true);
  });
});
