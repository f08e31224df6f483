import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ChainVerifier, canonicalEventBody, canonicalJson, eventHash, verifyChain } from '../src/audit/hashChain';
import { api } from './support/api';
import { bothLeave, liveSession, party } from './support/liveFixture';
import { useLiveServer } from './support/liveSuite';

const ev = (seq: number, payload: unknown, prev: string | null) => {
  const e = {
    taskId: 't1',
    seq,
    type: 'customer_message',
    timestamp: `2026-01-01T00:00:0${seq}.000Z`,
    senderId: 'u1',
    payload,
  };
  return { ...e, hash: eventHash(prev, e) };
};
function chainOf(n: number) {
  const out: ReturnType<typeof ev>[] = [];
  for (let i = 1; i <= n; i++) out.push(ev(i, { text: `m${i}` }, out[i - 2]?.hash ?? null));
  return out;
}

describe('hash chain', () => {
  it('canonical JSON ignores key order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'é' } })).toBe(
      canonicalJson({ a: { c: 'é', d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });

  it('writes the hashed event body exactly as canonical JSON of the whole event would', () => {
    const texts = [
      'plain',
      'quote " and \\ backslash',
      'tab\tnew\nline',
      'ünïcødé ✓ 🚀',
      'lone \ud800 surrogate',
      '\u0000',
    ];
    const payloads: unknown[] = [
      ...texts.map((text) => ({ text })),
      { requestId: 'r1', stream: 'stdout', data: 'x'.repeat(6000) + texts.join('') },
      { z: [3, { b: null, a: true }], a: { y: 1.5, x: -0 } },
      {},
    ];
    for (const [i, payload] of payloads.entries()) {
      for (const senderId of ['u1', null, texts[i % texts.length] ?? 'u']) {
        const e = {
          taskId: `t-${texts[i % texts.length]}`,
          seq: i + 1,
          type: 'customer_message',
          timestamp: '2026-01-01T00:00:00.000Z',
          senderId,
          payload,
        };
        const whole = canonicalJson({
          taskId: e.taskId,
          seq: e.seq,
          type: e.type,
          timestamp: e.timestamp,
          senderId,
          payload,
        });
        expect(canonicalEventBody(e)).toBe(whole);
        expect(canonicalEventBody(e, canonicalJson(payload))).toBe(whole);
      }
    }
  });

  it('each hash depends on the previous hash, the task and every field', () => {
    const base = {
      taskId: 't1',
      seq: 1,
      type: 'customer_message',
      timestamp: 'x',
      senderId: 'u',
      payload: { text: 'a' },
    };
    const h = eventHash(null, base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(null, { ...base })).toBe(h);
    for (const changed of [
      { ...base, taskId: 't2' },
      { ...base, seq: 2 },
      { ...base, type: 'engineer_message' },
      { ...base, timestamp: 'y' },
      { ...base, senderId: null },
      { ...base, payload: { text: 'b' } },
    ]) {
      expect(eventHash(null, changed)).not.toBe(h);
    }
    expect(eventHash('0'.repeat(64), base)).not.toBe(h);
  });

  it('is sha256 of the previous hash, a newline and the canonical event, as anyone can recompute it', () => {
    // Computed here the plain way, with a Hash object fed the documented pieces in turn.
    const recompute = (prev: string | null, event: object) =>
      createHash('sha256')
        .update(prev ?? '')
        .update('\n')
        .update(canonicalJson(event))
        .digest('hex');
    const first = {
      taskId: 't1',
      seq: 1,
      type: 'customer_message',
      timestamp: 'x',
      senderId: 'u',
      payload: { text: 'ünïcødé 🚀' },
    };
    const second = {
      ...first,
      seq: 2,
      senderId: null,
      payload: { text: 'lone \ud800 surrogate', n: [1, { b: 2, a: 1 }] },
    };
    const h1 = eventHash(null, first);
    expect(h1).toBe(recompute(null, first));
    expect(eventHash(h1, second)).toBe(recompute(h1, second));
    // Not the hash without the separator: the newline is part of the chain's definition.
    expect(eventHash(h1, second)).not.toBe(createHash('sha256').update(h1).update(canonicalJson(second)).digest('hex'));
  });

  it('verifies an intact chain and reports its head', () => {
    const chain = chainOf(5);
    expect(verifyChain(chain, { lastSeq: 5, headHash: chain[4]!.hash })).toEqual({
      verified: true,
      brokenAtSeq: null,
      headHash: chain[4]!.hash,
    });
    expect(verifyChain([])).toEqual({ verified: true, brokenAtSeq: null, headHash: null });
  });

  it('finds an edited payload, a forged hash, a removed, a reordered and a truncated event', () => {
    const chain = chainOf(5);
    const edited = chain.map((e) => (e.seq === 3 ? { ...e, payload: { text: 'changed' } } : e));
    expect(verifyChain(edited).brokenAtSeq).toBe(3);

    // Recomputing the edited event's own hash does not help: the next link breaks.
    const rehashed = edited.map((e) => (e.seq === 3 ? { ...e, hash: eventHash(chain[1]!.hash, e) } : e));
    expect(verifyChain(rehashed).brokenAtSeq).toBe(4);

    expect(verifyChain(chain.filter((e) => e.seq !== 2)).brokenAtSeq).toBe(2);
    expect(verifyChain([chain[0]!, chain[2]!, chain[1]!, chain[3]!]).verified).toBe(false);
    const head = { lastSeq: 5, headHash: chain[4]!.hash };
    expect(verifyChain(chain.slice(0, 4), head)).toMatchObject({ verified: false, brokenAtSeq: 5 });
  });
  it('judges a stored payload text as push judges the parsed payload, hashing canonical text as it is', () => {
    const chain = chainOf(3);
    const stored = (e: ReturnType<typeof ev>, text: string) => {
      const v = new ChainVerifier(null, 1);
      for (const x of chain) {
        if (x.seq === e.seq ? !v.pushStored(x, text) : !v.pushStored(x, canonicalJson(x.payload))) break;
      }
      return v.verdict();
    };
    const second = chain[1]!;
    expect(stored(second, canonicalJson(second.payload))).toEqual(verifyChain(chain));
    // Another spelling of the same JSON verifies, as re-canonicalising it does …
    expect(stored(second, ` { "text" : "${(second.payload as { text: string }).text}" } `).verified).toBe(true);
    // … other content, or text that is not JSON, does not.
    expect(stored(second, JSON.stringify({ text: 'other' })).brokenAtSeq).toBe(2);
    expect(stored(second, '{"text":').brokenAtSeq).toBe(2);
  });
});

describe.each(['sqlite', 'postgres'] as const)('transcript verification over the API (%s)', (dialect) => {
  const live = useLiveServer({ dialect });

  it('reports a verified chain, then a broken one after a stored row is tampered with', async () => {
    const { server, customer, engineer } = live;
    const { task, c, e } = await liveSession(server, customer, engineer);
    await c.expectAck('customer_message', { text: 'my password is hunter2' });
    await e.expectAck('engineer_message', { text: 'please do not share it' });
    await c.expectAck('customer_message', { text: 'ok' });
    await bothLeave(server, task.id, c, e);

    const good = await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`);
    expect(good.status).toBe(200);
    expect(good.body.chain.verified).toBe(true);
    expect(good.body.chain.brokenAtSeq).toBeNull();
    const events = good.body.events as { seq: number; type: string; hash: string }[];
    expect(events.map((x) => x.seq)).toEqual(events.map((_, i) => i + 1));
    expect(good.body.chain.headHash).toBe(events.at(-1)!.hash);

    // after= pages the log but still verifies all of it.
    const page = await api(server.baseUrl, engineer, 'GET', `/v1/tasks/${task.id}/events?after=3`);
    expect(page.body.events.map((x: { seq: number }) => x.seq)).toEqual(
      events.filter((x) => x.seq > 3).map((x) => x.seq),
    );
    expect(page.body.chain.verified).toBe(true);

    const target = events.find((x) => x.type === 'customer_message')!;
    await sql`update task_events set payload = ${JSON.stringify({ text: 'my password is secret' })} where task_id = ${task.id} and seq = ${target.seq}`.execute(
      server.ctx.storage.db,
    );
    const bad = await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`);
    expect(bad.body.chain).toMatchObject({ verified: false, brokenAtSeq: target.seq });

    // Deleting the last event is caught by the head recorded on the task.
    await sql`update task_events set payload = ${JSON.stringify({ text: 'my password is hunter2' })} where task_id = ${task.id} and seq = ${target.seq}`.execute(
      server.ctx.storage.db,
    );
    expect((await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`)).body.chain.verified).toBe(true);
    await sql`delete from task_events where task_id = ${task.id} and seq = ${events.length}`.execute(
      server.ctx.storage.db,
    );
    const truncated = await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`);
    expect(truncated.body.chain).toMatchObject({ verified: false, brokenAtSeq: events.length });
  });

  it('shows the transcript only to the task participants, and checks after=', async () => {
    const { server, customer, engineer } = live;
    const { task, c, e } = await liveSession(server, customer, engineer);
    await c.close();
    await e.close();
    const stranger = await party(server, 'customer', 10);
    const otherEngineer = await party(server, 'engineer');
    const admin = await party(server, 'admin');
    for (const who of [stranger, otherEngineer, admin]) {
      const r = await api(server.baseUrl, who, 'GET', `/v1/tasks/${task.id}/events`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('E_NOT_FOUND');
    }
    expect((await api(server.baseUrl, {}, 'GET', `/v1/tasks/${task.id}/events`)).status).toBe(401);
    for (const after of ['-1', 'abc', '1.5']) {
      const r = await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events?after=${after}`);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('E_VALIDATION');
    }
  });
});
