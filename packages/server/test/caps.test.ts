import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/clock';
import { PRESENCE_STALE_MS } from '../src/live/instanceHeartbeat';
import { api } from './support/api';
import { claim, createTask, liveSession, type Party, party } from './support/liveFixture';
import { startServerProcess } from './support/serverProcess';
import { POSTGRES_URL, REDIS_URL, startTestServer, type TestServer } from './support/testServer';
import { openSession, refusedUpgrade, type TestSession } from './support/wsClient';

/** The standing limits (server settings), each refused with E_LIMIT_REACHED, set low here. */
describe.each(['sqlite', 'postgres'] as const)('standing limits (%s)', (dialect) => {
  let server: TestServer;
  let engineer: Party;
  const open: TestSession[] = [];
  const url = () => server.baseUrl;

  beforeAll(async () => {
    server = await startTestServer({
      dialect,
      config: {
        maxPendingRequestsPerTask: 3,
        maxQueuedTasksPerCustomer: 2,
        maxQueuedTranscriptBytes: 4096,
        maxSocketsPerUser: 3,
      },
    });
    engineer = await party(server, 'engineer');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  it('pending requests per task: past the limit E_LIMIT_REACHED; an answered one frees a place', async () => {
    const customer = await party(server, 'customer', 100);
    const { c, e } = await liveSession(server, customer, engineer);
    open.push(c, e);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const seq = await e.expectAck('request_command', { command: `echo ${i}`, reason: '' });
      ids.push((await c.waitForSeq(seq)).payload.requestId as string);
    }
    const refused = await e.request('request_file', { path: 'a.txt', reason: '' });
    expect(refused.error).toMatchObject({
      code: 'E_LIMIT_REACHED',
      message: expect.stringMatching(/3 requests waiting/),
    });
    expect(await e.expectError('request_command', { command: 'ls', reason: '' })).toBe('E_LIMIT_REACHED');
    await c.expectAck('approve_command', { requestId: ids[0], approved: false });
    expect(await e.expectAck('request_file', { path: 'a.txt', reason: '' })).toBeGreaterThan(0);
  });

  it('queued tasks per customer: E_LIMIT_REACHED past the limit, also when created at once', async () => {
    const customer = await party(server, 'customer', 100);
    const first = await createTask(url(), customer);
    await createTask(url(), customer);
    const third = await api(url(), customer, 'POST', '/v1/tasks', { description: 'one more' });
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'E_LIMIT_REACHED', detail: expect.stringMatching(/2 tasks waiting/) });
    // Another customer is not affected; a task that leaves the queue frees a place.
    await createTask(url(), await party(server, 'customer', 100));
    await claim(url(), engineer, first.id);
    expect((await api(url(), customer, 'POST', '/v1/tasks', { description: 'now' })).status).toBe(201);

    const racer = await party(server, 'customer', 100);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api(url(), racer, 'POST', '/v1/tasks', { description: `race ${i}` })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 429, 429, 429, 429]);
  });

  it('transcript of a queued task: chat past the limit is refused until an engineer claims it', async () => {
    const customer = await party(server, 'customer', 100);
    const task = await createTask(url(), customer);
    const c = await openSession({ baseUrl: url(), taskId: task.id, token: customer.token });
    open.push(c);
    const line = { text: 'x'.repeat(500) };
    let stored = 0;
    let refusal: { code: string; message: string } | undefined;
    for (let i = 0; i < 20 && !refusal; i++) {
      const r = await c.request('customer_message', line);
      if (r.ack) stored++;
      refusal = r.error;
    }
    expect(refusal).toMatchObject({ code: 'E_LIMIT_REACHED', message: expect.stringMatching(/4096 bytes/) });
    // About 4 KiB of 500-character lines (plus the task's own status event): seven fit, the eighth not.
    expect(stored).toBe(7);
    await claim(url(), engineer, task.id);
    expect(await c.expectAck('customer_message', line)).toBeGreaterThan(0);
  });

  it('live sockets per user: the upgrade past the limit is refused with 429 E_LIMIT_REACHED', async () => {
    const customer = await party(server, 'customer', 100);
    const task = await createTask(url(), customer);
    const sockets: TestSession[] = [];
    for (let i = 0; i < 3; i++)
      sockets.push(await openSession({ baseUrl: url(), taskId: task.id, token: customer.token }));
    open.push(...sockets);
    const refused = await refusedUpgrade(url(), task.id, { token: customer.token });
    expect(refused).toMatchObject({ status: 429, body: { code: 'E_LIMIT_REACHED' } });
    // Another account is not affected, and a closed socket frees a place.
    const other = await party(server, 'customer', 100);
    const otherTask = await createTask(url(), other);
    open.push(await openSession({ baseUrl: url(), taskId: otherTask.id, token: other.token }));
    await sockets[0]!.close();
    await new Promise((r) => setTimeout(r, 50));
    open.push(await openSession({ baseUrl: url(), taskId: task.id, token: customer.token }));
  });
});

/**
 * The socket cap holds over every instance: each stores its count per account, and a killed
 * instance's count stops counting once its heartbeat is stale.
 */
describe('live sockets per user across two instances (PostgreSQL + Redis)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  /** Waits until the instances together have stored `n` sockets of the user. */
  async function storedCount(server: TestServer, userId: string, n: number): Promise<void> {
    for (let i = 0; i < 300; i++) {
      const row = await server.ctx.storage.db
        .selectFrom('user_sockets')
        .select((eb) => eb.fn.sum<number>('sockets').as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (Number(row?.n ?? 0) === n) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`the stored socket count never reached ${n}`);
  }

  it('refuses the socket past the cap on either instance, and forgets a killed instance', async () => {
    const clock = new FakeClock(new Date());
    const b = await startTestServer({
      dialect: 'postgres',
      redis: true,
      clock,
      config: { maxSocketsPerUser: 3, accessTokenTtlSeconds: 24 * 3600 },
    });
    cleanups.push(() => b.close());
    const a = await startServerProcess({
      DATABASE_URL: POSTGRES_URL,
      CODEVF_DATABASE_SCHEMA: b.pgSchema!,
      REDIS_URL,
      CODEVF_MAX_SOCKETS_PER_USER: '3',
    });
    cleanups.push(() => a.kill());
    const customer = await party(b, 'customer', 100);
    const task = await createTask(b.baseUrl, customer);
    const on = (server: { baseUrl: string }) =>
      openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token });
    const onA = [await on(a), await on(a)];
    await storedCount(b, customer.user.id, 2);
    const onB = [await on(b)];
    cleanups.push(() => Promise.all([...onA, ...onB].map((s) => s.close())));
    await storedCount(b, customer.user.id, 3);
    // Three in all: a fourth is refused wherever it goes, though neither instance holds three.
    for (const server of [a, b])
      expect(await refusedUpgrade(server.baseUrl, task.id, { token: customer.token })).toMatchObject({
        status: 429,
        body: { code: 'E_LIMIT_REACHED' },
      });
    // A socket closed on A frees a place on B.
    await onA[0]!.close();
    await storedCount(b, customer.user.id, 2);
    onB.push(await on(b));
    await storedCount(b, customer.user.id, 3);
    expect((await refusedUpgrade(b.baseUrl, task.id, { token: customer.token })).status).toBe(429);

    // A is killed with one socket: its count stands until its heartbeat is stale, then not.
    await a.kill();
    expect((await refusedUpgrade(b.baseUrl, task.id, { token: customer.token })).status).toBe(429);
    // (A ran on real time; B's clock jumps past A's last heartbeat.)
    clock.set(new Date(Date.now() + PRESENCE_STALE_MS + 1_000));
    onB.push(await on(b));
    expect((await refusedUpgrade(b.baseUrl, task.id, { token: customer.token })).status).toBe(429);
  });
});
