import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/api';
import { liveSession, type Party, party } from './support/liveFixture';
import { POSTGRES_URL, startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

/** Seqs a connection received must be exactly lastSeq+1, lastSeq+2, … — no gap, no repeat. */
function expectConsecutive(s: TestSession, from: number) {
  const seqs = s.seqs();
  expect(seqs).toEqual(seqs.map((_, i) => from + 1 + i));
}

describe.each(['sqlite', 'postgres'] as const)('resuming live sessions (%s)', (dialect) => {
  let server: TestServer;
  let customer: Party;
  let engineer: Party;
  const open: TestSession[] = [];
  beforeAll(async () => {
    server = await startTestServer({ dialect });
    customer = await party(server, 'customer', 1_000);
    engineer = await party(server, 'engineer');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  it('replays exactly the missed events after a reconnect with lastSeq, then goes live', async () => {
    const { task, c, e } = await liveSession(server, customer, engineer);
    open.push(e);
    const seen = (await c.waitForEvents(4)).at(-1)!.seq!;
    await c.close();
    await e.waitFor('customer_disconnected');
    const missed: number[] = [];
    for (let i = 0; i < 5; i++)
      missed.push(await e.expectAck('engineer_message', { text: `while you were away ${i}` }));
    const back = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token, lastSeq: seen });
    open.push(back);
    expect(back.welcome?.payload.lastSeq).toBeGreaterThanOrEqual(missed.at(-1)!);
    await back.waitFor('customer_connected');
    // The customer's own departure and return are part of what they missed.
    expect(back.relayed().map((f) => f.type)).toEqual([
      'customer_disconnected',
      ...missed.map(() => 'engineer_message'),
      'customer_connected',
    ]);
    expect(
      back
        .relayed()
        .filter((f) => f.type === 'engineer_message')
        .map((f) => f.seq),
    ).toEqual(missed);
    const live = await e.expectAck('engineer_message', { text: 'welcome back' });
    await back.waitForSeq(live);
    expectConsecutive(back, seen);
  });

  it('loses and repeats nothing when reconnecting again and again in the middle of a stream', async () => {
    const { task, c, e } = await liveSession(server, customer, engineer);
    open.push(e);
    const start = c.seqs().at(-1)!;
    await c.close();
    const N = 150;
    // The engineer streams in the background, one message per round trip, while the customer
    // hops from connection to connection.
    const acks = (async () => {
      const out: number[] = [];
      for (let i = 0; i < N; i++) out.push(await e.expectAck('engineer_message', { text: `line ${i}` }));
      return out;
    })();
    const received: number[] = [];
    let lastSeq = start;
    const isLastLine = (f: { payload: Record<string, unknown> }) => f.payload.text === `line ${N - 1}`;
    let hops = 0;
    for (; hops < 20; hops++) {
      const s = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token, lastSeq });
      await s.waitFor(() => s.events.length >= 10 || s.events.some(isLastLine));
      await s.close();
      expectConsecutive(s, lastSeq);
      received.push(...s.seqs());
      lastSeq = s.seqs().at(-1) ?? lastSeq;
      if (s.events.some(isLastLine)) break;
    }
    const seqs = await acks;
    expect(hops).toBeGreaterThan(2);
    const last = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token, lastSeq });
    open.push(last);
    // Our own message comes back after everything before it.
    await last.waitForSeq(await last.expectAck('customer_message', { text: 'got it all' }));
    expectConsecutive(last, lastSeq);
    received.push(...last.seqs());
    expect(received).toEqual(Array.from({ length: received.length }, (_, i) => start + 1 + i));
    for (const seq of seqs) expect(received).toContain(seq);
  });

  it('stores a re-sent message once and answers it with the original ack', async () => {
    const { task, c, e } = await liveSession(server, customer, engineer);
    open.push(c, e);
    const id = randomUUID();
    // Twice back to back, before the first ack can have arrived.
    c.send('customer_message', { text: 'only once please' }, id);
    c.send('customer_message', { text: 'only once please' }, id);
    await c.waitFor(() => c.frames.filter((f) => f.type === 'ack' && f.payload.id === id).length === 2);
    const acks = c.frames.filter((f) => f.type === 'ack' && f.payload.id === id).map((f) => f.payload.seq);
    expect(acks[0]).toBe(acks[1]);
    // And again from a new connection, as after a lost ack and a reconnect.
    const again = await openSession({
      baseUrl: server.baseUrl,
      taskId: task.id,
      token: customer.token,
      lastSeq: acks[0] as number,
    });
    open.push(again);
    expect(await again.expectAck('customer_message', { text: 'only once please' }, id)).toBe(acks[0]);
    // The other participant cannot reuse someone else's id.
    expect(await e.expectError('engineer_message', { text: 'x' }, id)).toBe('E_CONFLICT');
    const next = await c.expectAck('customer_message', { text: 'next' });
    await c.waitForSeq(next);
    // Nothing was stored for the re-sends: the next message follows the original directly.
    expect(c.relayed(acks[0] as number).map((f) => f.seq)).toEqual([next]);
    const transcript = await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`);
    expect(
      transcript.body.events.filter((x: { payload: { text?: string } }) => x.payload.text === 'only once please'),
    ).toHaveLength(1);
    expect(transcript.body.chain.verified).toBe(true);
  });
});

describe.each(['sqlite', 'postgres'] as const)('server restart mid-session (%s)', (dialect) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'codevf-restart-'));
  const pgSchema = dialect === 'postgres' ? `restart_${randomBytes(5).toString('hex')}` : undefined;
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close().catch(() => {});
    if (pgSchema) {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${pgSchema} cascade`);
      await client.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses nothing and duplicates nothing across a restart on the same database', async () => {
    const first = await startTestServer({ dialect, dataDir, pgSchema });
    servers.push(first);
    const customer = await party(first, 'customer', 100);
    const engineer = await party(first, 'engineer');
    const { task, c, e } = await liveSession(first, customer, engineer);
    await c.expectAck('customer_message', { text: 'before the restart' });
    const reqSeq = await e.expectAck('request_command', { command: 'npm test', reason: '' });
    const requestId = (await c.waitForSeq(reqSeq)).payload.requestId as string;
    const approvalId = randomUUID();
    const approvedSeq = await c.expectAck('approve_command', { requestId, approved: true }, approvalId);
    await e.waitForSeq(approvedSeq);
    const customerSeen = c.seqs().at(-1)!;
    const engineerSeen = e.seqs().at(-1)!;

    await first.close();
    await Promise.all([c.closed, e.closed]);

    const second = await startTestServer({ dialect, dataDir, pgSchema });
    servers.push(second);
    const c2 = await openSession({
      baseUrl: second.baseUrl,
      taskId: task.id,
      token: customer.token,
      lastSeq: customerSeen,
    });
    const e2 = await openSession({
      baseUrl: second.baseUrl,
      taskId: task.id,
      token: engineer.token,
      lastSeq: engineerSeen,
    });
    // The approval's ack was "lost" in the restart: re-sending it is answered, not re-applied.
    expect(await c2.expectAck('approve_command', { requestId, approved: true }, approvalId)).toBe(approvedSeq);
    const out = await c2.expectAck('command_output', { requestId, stream: 'stdout', data: 'PASS\n' });
    await e2.waitForSeq(out);
    expectConsecutive(c2, customerSeen);
    expectConsecutive(e2, engineerSeen);
    // The old instance recorded the engineer leaving on shutdown; the new one the return.
    await e2.waitFor('engineer_connected');
    const types = e2.events.map((f) => f.type);
    expect(types).toContain('engineer_disconnected');
    expect(types.indexOf('engineer_connected')).toBeGreaterThan(types.indexOf('engineer_disconnected'));

    const transcript = await api(second.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`);
    const events = transcript.body.events as { seq: number; type: string }[];
    expect(events.map((x) => x.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((x) => x.type === 'approve_command')).toHaveLength(1);
    expect(transcript.body.chain.verified).toBe(true);
    await c2.close();
    await e2.close();
  });
});
