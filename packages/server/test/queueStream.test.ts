import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/api';
import { claim, createTask, type Party, party } from './support/liveFixture';
import { openSse, queueIds, type SseStream } from './support/sseClient';
import { startTestServer, type TestServer } from './support/testServer';

const has = (id: string) => (e: { event: string; data: string }) =>
  e.event === 'queue' && queueIds(e as never).includes(id);
const lacks = (id: string) => (e: { event: string; data: string }) =>
  e.event === 'queue' && !queueIds(e as never).includes(id);

describe('GET /v1/queue/stream (SQLite, memory bus)', () => {
  let server: TestServer;
  let customer: Party;
  let engineer: Party;
  const open: SseStream[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    customer = await party(server, 'customer', 500);
    engineer = await party(server, 'engineer');
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await server?.close();
  });

  it('sends a snapshot at once, then the queue after a task is queued, claimed or ended', async () => {
    const waiting = await createTask(server.baseUrl, customer, { description: 'already waiting' });
    const stream = await openSse(server.baseUrl, '/v1/queue/stream', engineer);
    open.push(stream);
    expect(stream.status).toBe(200);
    const first = await stream.waitFor((e) => e.event === 'queue');
    expect(queueIds(first)).toContain(waiting.id);
    const task = JSON.parse(first.data).tasks.find((t: { id: string }) => t.id === waiting.id);
    expect(task).toMatchObject({ description: 'already waiting', status: 'queued', queuePosition: 1 });

    const fresh = await createTask(server.baseUrl, customer, { description: 'new one' });
    await stream.waitFor(has(fresh.id));
    await claim(server.baseUrl, engineer, waiting.id);
    await stream.waitFor(lacks(waiting.id));
    const ended = await api(server.baseUrl, customer, 'POST', `/v1/tasks/${fresh.id}/end`, {});
    expect(ended.status).toBe(200);
    // Neither is waiting any more (the first snapshot, before `fresh`, still held `waiting`).
    await stream.waitFor(
      (e) => e.event === 'queue' && !queueIds(e).includes(fresh.id) && !queueIds(e).includes(waiting.id),
    );
  });

  it('refuses customers and anonymous callers with problem details, not a stream', async () => {
    const asCustomer = await openSse(server.baseUrl, '/v1/queue/stream', customer);
    expect(asCustomer.status).toBe(403);
    const anonymous = await openSse(server.baseUrl, '/v1/queue/stream', {});
    expect(anonymous.status).toBe(401);
    const badToken = await openSse(server.baseUrl, '/v1/queue/stream', { token: 'nope' });
    expect(badToken.status).toBe(401);
  });

  it('works with the console cookie, and ends the stream with a reason when the role changes', async () => {
    const user = await server.createUser({ role: 'engineer' });
    const admin = await party(server, 'admin');
    const { cookie } = await server.signIn(user.email, user.password);
    const stream = await openSse(server.baseUrl, '/v1/queue/stream', { cookie });
    open.push(stream);
    expect(stream.status).toBe(200);
    await stream.waitFor((e) => e.event === 'queue');
    const patched = await api(server.baseUrl, admin, 'PATCH', `/v1/admin/users/${user.id}`, { role: 'customer' });
    expect(patched.status).toBe(200);
    const end = await stream.waitFor((e) => e.event === 'end');
    expect(JSON.parse(end.data)).toMatchObject({ code: 'E_FORBIDDEN' });
    await stream.ended;
  });
});

describe('GET /v1/queue/stream at shutdown', () => {
  it('ends open streams so that the server can close', async () => {
    const server = await startTestServer();
    const engineer = await party(server, 'engineer');
    const stream = await openSse(server.baseUrl, '/v1/queue/stream', engineer);
    await stream.waitFor((e) => e.event === 'queue');
    const t0 = Date.now();
    await server.close();
    await stream.ended;
    expect(Date.now() - t0).toBeLessThan(5_000);
    // A plain end: no `end` event, so a browser reconnects (to another instance, or this one restarted).
    expect(stream.events.map((e) => e.event)).toEqual(['queue']);
  });
});

describe('GET /v1/queue/stream across two instances (PostgreSQL + Redis)', () => {
  let a: TestServer;
  let b: TestServer;
  let customer: Party;
  let engineer: Party;
  const open: SseStream[] = [];

  beforeAll(async () => {
    a = await startTestServer({ dialect: 'postgres', redis: true });
    b = await startTestServer({ dialect: 'postgres', redis: true, pgSchema: a.pgSchema });
    customer = await party(a, 'customer', 500);
    engineer = await party(a, 'engineer');
  }, 60_000);
  afterAll(async () => {
    // The servers end the streams they hold as they close; the clients are closed after. (The
    // other order — clients abort first — left instance A's close waiting over 60 s in about one
    // run of four here; not diagnosed yet, see the report of issue 23.)
    await b?.close();
    await a?.close();
    for (const s of open) s.close();
  });
  // What the instances logged, when a step fails (a lost bus message, a failed read).
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.error([...a.logs, ...b.logs].slice(-40).join('\n'));
  });

  it('shows a task created on instance A on a stream held by instance B, and its claim on A too', async () => {
    const onB = await openSse(b.baseUrl, '/v1/queue/stream?on=B', engineer);
    const onA = await openSse(a.baseUrl, '/v1/queue/stream?on=A', engineer);
    open.push(onA, onB);
    await onB.waitFor((e) => e.event === 'queue');
    await onA.waitFor((e) => e.event === 'queue');
    const task = await createTask(a.baseUrl, customer, { description: 'made on A' });
    await onB.waitFor(has(task.id));
    // Snapshots show the queue as it is when read, not every state it passed through: a claim
    // before A's read would mean A never showed the task. So both see it before the claim.
    const arrived = await onA.waitFor(has(task.id));
    await claim(b.baseUrl, engineer, task.id);
    // On A, a snapshot after the one that held the task no longer has it.
    await onA.waitFor((e) => e.at > arrived.at && lacks(task.id)(e));
  });
});
