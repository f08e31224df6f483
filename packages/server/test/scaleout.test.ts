import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/api';
import { claim, createTask, type Party, party } from './support/liveFixture';
import { type ServerProcess, startServerProcess } from './support/serverProcess';
import { POSTGRES_URL, REDIS_URL, startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

/**
 * Two real server processes share one PostgreSQL schema and one Redis: any instance can hold
 * any socket, and the database decides the order. (A third, in-process instance only creates
 * the accounts.)
 */
describe('two server processes on PostgreSQL + Redis', () => {
  let setup: TestServer;
  let a: ServerProcess;
  let b: ServerProcess;
  let customer: Party;
  let engineer: Party;
  const open: TestSession[] = [];

  beforeAll(async () => {
    setup = await startTestServer({ dialect: 'postgres' });
    const env = {
      DATABASE_URL: POSTGRES_URL,
      CODEVF_DATABASE_SCHEMA: setup.pgSchema!,
      REDIS_URL,
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    customer = await party(setup, 'customer', 500);
    engineer = await party(setup, 'engineer', 0, 'Principal engineer');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await Promise.all([a?.stop(), b?.stop()]);
    await setup?.close();
  });

  it('lets only one of two engineers on different instances claim a task', async () => {
    const task = await createTask(a.baseUrl, customer);
    const rival = await party(setup, 'engineer');
    const [r1, r2] = await Promise.all([
      api(a.baseUrl, engineer, 'POST', `/v1/tasks/${task.id}/claim`),
      api(b.baseUrl, rival, 'POST', `/v1/tasks/${task.id}/claim`),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
  });

  it('closes sockets on another instance within a second of a revoked login or a changed role', async () => {
    const task = await createTask(a.baseUrl, customer);
    const demoted = await party(setup, 'engineer');
    const admin = await party(setup, 'admin');
    await claim(a.baseUrl, demoted, task.id);
    const login = await setup.issueTokens(customer.user.id);
    const c = await openSession({ baseUrl: b.baseUrl, taskId: task.id, token: login.accessToken });
    const e = await openSession({ baseUrl: b.baseUrl, taskId: task.id, token: demoted.token });
    open.push(c, e);

    // Logout through instance A; the socket is on instance B.
    let t0 = Date.now();
    const revoked = await fetch(`${a.baseUrl}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: login.refreshToken, client_id: 'codevf-cli' }),
    });
    expect(revoked.status).toBe(200);
    const cClosed = await c.closed;
    expect(cClosed.code).toBe(4001);
    expect(Date.now() - t0).toBeLessThan(1_000);

    t0 = Date.now();
    const patched = await api(a.baseUrl, admin, 'PATCH', `/v1/admin/users/${demoted.user.id}`, { role: 'customer' });
    expect(patched.status).toBe(200);
    expect((await e.closed).code).toBe(4003);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('relays both ways in one order, survives killing an instance, and loses nothing', async () => {
    const task = await createTask(a.baseUrl, customer);
    await claim(b.baseUrl, engineer, task.id);
    const c = await openSession({ baseUrl: a.baseUrl, taskId: task.id, token: customer.token });
    const e = await openSession({ baseUrl: b.baseUrl, taskId: task.id, token: engineer.token });
    open.push(e);
    await c.waitFor('engineer_connected');

    // Both sides talk at once, without waiting for each other.
    const N = 40;
    const [cSeqs, eSeqs] = await Promise.all([
      Promise.all(Array.from({ length: N }, (_, i) => c.expectAck('customer_message', { text: `c${i}` }))),
      Promise.all(Array.from({ length: N }, (_, i) => e.expectAck('engineer_message', { text: `e${i}` }))),
    ]);
    const last = Math.max(...cSeqs, ...eSeqs);
    await Promise.all([c.waitForSeq(last), e.waitForSeq(last)]);
    const view = (s: TestSession) => s.events.map((f) => `${f.seq}:${f.type}:${JSON.stringify(f.payload)}`);
    expect(view(c)).toEqual(view(e));
    expect(c.seqs()).toEqual(c.seqs().map((_, i) => i + 1));
    // Each side's messages keep the order they were sent in.
    const texts = (s: TestSession, prefix: string) =>
      s.events.map((f) => f.payload.text as string).filter((t) => t?.startsWith(prefix));
    expect(texts(c, 'c')).toEqual(Array.from({ length: N }, (_, i) => `c${i}`));
    expect(texts(c, 'e')).toEqual(Array.from({ length: N }, (_, i) => `e${i}`));

    // A command round trip across the instances.
    const reqSeq = await e.expectAck('request_command', { command: 'npm test', reason: 'reproduce' });
    const requestId = (await c.waitForSeq(reqSeq)).payload.requestId as string;
    await c.expectAck('approve_command', { requestId, approved: true });
    const chunks = Array.from({ length: 20 }, (_, i) => `chunk ${i}\n`);
    for (const data of chunks) c.send('command_output', { requestId, stream: 'stdout', data });
    const resultSeq = await c.expectAck('command_result', {
      requestId,
      exitCode: 0,
      durationMs: 5,
      truncated: false,
      redactions: 0,
    });
    await e.waitForSeq(resultSeq);
    expect(e.events.filter((f) => f.type === 'command_output').map((f) => f.payload.data)).toEqual(chunks);

    // The customer's instance dies (kill -9) with messages in flight.
    const seenBeforeKill = c.seqs().at(-1)!;
    const inFlight = Array.from({ length: 10 }, (_, i) => ({ id: randomUUID(), text: `in flight ${i}` }));
    for (const m of inFlight) c.send('customer_message', { text: m.text }, m.id);
    const stream = (async () => {
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push(await e.expectAck('engineer_message', { text: `during the outage ${i}` }));
      return out;
    })();
    await a.kill();
    await c.closed;
    const engineerSeqs = await stream;

    // Reconnect to the surviving instance and re-send everything in flight with its id: what the
    // dead instance stored is acknowledged again, the rest is stored now — each exactly once.
    const c2 = await openSession({
      baseUrl: b.baseUrl,
      taskId: task.id,
      token: customer.token,
      lastSeq: seenBeforeKill,
    });
    open.push(c2);
    for (const m of inFlight) await c2.expectAck('customer_message', { text: m.text }, m.id);
    const done = await c2.expectAck('customer_message', { text: 'back' });
    await c2.waitForSeq(done);
    await e.waitForSeq(done);
    expect(c2.seqs()).toEqual(c2.seqs().map((_, i) => seenBeforeKill + 1 + i));
    for (const seq of engineerSeqs) expect(c2.seqs()).toContain(seq);

    const transcript = await api(b.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`);
    const events = transcript.body.events as { seq: number; payload: { text?: string } }[];
    expect(transcript.body.chain.verified).toBe(true);
    expect(events.map((x) => x.seq)).toEqual(events.map((_, i) => i + 1));
    for (const m of inFlight) expect(events.filter((x) => x.payload.text === m.text)).toHaveLength(1);
    // Everything the engineer saw, the customer saw, in the same order.
    const eView = e.events.map((f) => f.seq);
    expect(eView).toEqual(events.map((x) => x.seq));
  });
});
