import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargeMinute } from '../src/billing/billing';
import { FakeClock } from '../src/clock';
import { liveRuntime } from '../src/live/liveRuntime';
import { api } from './support/api';
import { claim, createTask, liveSession, type Party, party, tick } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

const balanceOf = async (server: TestServer, who: Party) =>
  (await api(server.baseUrl, who, 'GET', '/v1/credits')).body.balance as number;

describe.each(['sqlite', 'postgres'] as const)('billing (%s)', (dialect) => {
  let server: TestServer;
  let clock: FakeClock;
  let engineer: Party;
  const open: TestSession[] = [];
  beforeAll(async () => {
    clock = new FakeClock('2026-05-01T08:00:00.000Z');
    // Tokens outlive the hours this test moves the clock by.
    server = await startTestServer({ dialect, clock, config: { accessTokenTtlSeconds: 24 * 3600 } });
    engineer = await party(server, 'engineer');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  it('charges one credit per started minute with an engineer connected, and nothing else', async () => {
    const customer = await party(server, 'customer', 100);
    const task = await createTask(server.baseUrl, customer);
    const c = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token });
    open.push(c);
    clock.advance(5 * 60_000);
    await tick(server);
    expect(await balanceOf(server, customer)).toBe(100); // queued: free

    await claim(server.baseUrl, engineer, task.id);
    clock.advance(2 * 60_000 + 5_000);
    await tick(server);
    expect(await balanceOf(server, customer)).toBe(100); // active, but no engineer connected

    let e = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: engineer.token });
    await tick(server); // minute 3 (index 2) starts with the engineer here
    const first = await c.waitFor('billing_update');
    expect(first.payload).toEqual({ creditsUsed: 1, balance: 99, ratePerMinute: 1, minutes: 1, help: 'human' });
    await tick(server);
    clock.advance(54_000); // still the same minute
    await tick(server);
    expect(await balanceOf(server, customer)).toBe(99);
    clock.advance(1_000); // the next minute begins
    await tick(server);
    expect(await balanceOf(server, customer)).toBe(98);

    await e.close();
    await c.waitFor('engineer_disconnected');
    clock.advance(3 * 60_000);
    await tick(server);
    expect(await balanceOf(server, customer)).toBe(98); // nobody there: free

    e = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: engineer.token });
    open.push(e);
    // The server welcomes a socket before it stores the arrival: the clock moves only once the
    // engineer's return is in the transcript (stored later, it would be stamped 4 minutes on).
    const arrivals = () => c.events.filter((f) => f.type === 'engineer_connected').length;
    await c.waitFor(() => arrivals() >= 2);
    clock.advance(4 * 60_000); // a stalled process or a clock jump: every minute with the engineer is caught up
    await tick(server);
    expect(await balanceOf(server, customer)).toBe(93);

    const updates =
      (await c.waitFor((f) => f.type === 'billing_update' && f.payload.minutes === 7)) &&
      c.events.filter((f) => f.type === 'billing_update');
    expect(updates.map((f) => f.payload.minutes)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(updates.map((f) => f.payload.balance)).toEqual([99, 98, 97, 96, 95, 94, 93]);

    const credits = await api(server.baseUrl, customer, 'GET', '/v1/credits');
    const charges = (
      credits.body.ledger as { kind: string; taskId: string; minuteIndex: number; amount: number }[]
    ).filter((r) => r.kind === 'charge');
    expect(charges.map((r) => r.minuteIndex).sort((a, b) => a - b)).toEqual([2, 3, 6, 7, 8, 9, 10]);
    expect(charges.every((r) => r.amount === -1 && r.taskId === task.id)).toBe(true);
    expect(credits.body.ledger.find((r: { kind: string }) => r.kind === 'grant')).toMatchObject({
      amount: 100,
      taskId: null,
    });
    const view = await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}`);
    expect(view.body).toMatchObject({ creditsUsed: 7, creditsRemaining: 93 });
  });

  it('looks at a session with nothing due without taking its lock, and takes it to charge', async () => {
    const customer = await party(server, 'customer', 100);
    const task = await createTask(server.baseUrl, customer);
    await claim(server.baseUrl, engineer, task.id);
    const c = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token });
    const e = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: engineer.token });
    open.push(c, e);
    // Both arrivals stored: from then on the minute is billable.
    await c.waitFor('customer_connected');
    await c.waitFor('engineer_connected');
    const storage = server.ctx.storage;
    const transaction = storage.transaction;
    let transactions = 0;
    storage.transaction = (work) => {
      transactions++;
      return transaction(work);
    };
    const billingLook = async () => {
      transactions = 0;
      await liveRuntime(server.ctx).billingTick();
      return transactions;
    };
    try {
      expect(await billingLook()).toBeGreaterThan(0); // minute 0 is charged
      expect(await balanceOf(server, customer)).toBe(99);
      clock.advance(6_000); // looked at again, nothing due
      expect(await billingLook()).toBe(0);
      expect(await balanceOf(server, customer)).toBe(99);
      clock.advance(60_000); // the next minute is due
      expect(await billingLook()).toBeGreaterThan(0);
      expect(await balanceOf(server, customer)).toBe(98);
    } finally {
      storage.transaction = transaction;
    }
  });

  it('ends the session when the task reaches its maxCredits', async () => {
    const customer = await party(server, 'customer', 100);
    const { task, c } = await liveSession(server, customer, engineer, { maxCredits: 3 });
    open.push(c);
    for (let i = 0; i < 3; i++) {
      await tick(server);
      clock.advance(60_000);
    }
    await tick(server);
    const end = await c.waitFor('session_end');
    expect(end.payload).toMatchObject({ endedBy: 'system', summary: { creditsUsed: 3 } });
    expect(end.payload.reason).toMatch(/credit limit/);
    expect(await balanceOf(server, customer)).toBe(97);
    expect((await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}`)).body).toMatchObject({
      status: 'ended',
      endedBy: 'system',
      creditsUsed: 3,
    });
    clock.advance(60_000);
    await tick(server);
    expect(await balanceOf(server, customer)).toBe(97);
  });

  it('refuses bad ledger queries and anonymous callers', async () => {
    const customer = await party(server, 'customer', 1);
    expect((await api(server.baseUrl, {}, 'GET', '/v1/credits')).status).toBe(401);
    for (const q of ['limit=0', 'limit=abc', 'limit=100000']) {
      expect((await api(server.baseUrl, customer, 'GET', `/v1/credits?${q}`)).body.code).toBe('E_VALIDATION');
    }
    expect((await api(server.baseUrl, customer, 'GET', '/v1/credits?limit=1')).body.ledger).toHaveLength(1);
  });
});

describe('billing at 2 credits per minute', () => {
  let server: TestServer;
  const clock = new FakeClock('2026-05-02T08:00:00.000Z');
  afterAll(async () => server?.close());

  it('warns once when the balance runs low, then ends the session when it runs out', async () => {
    server = await startTestServer({ clock, config: { creditsPerMinute: 2 } });
    const engineer = await party(server, 'engineer');
    const poor = await party(server, 'customer', 1);
    const refused = await api(server.baseUrl, poor, 'POST', '/v1/tasks', { description: 'help' });
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('E_INSUFFICIENT_CREDITS');
    expect((await api(server.baseUrl, poor, 'POST', '/v1/tasks', { description: 'help', maxCredits: 1 })).status).toBe(
      400,
    );

    const customer = await party(server, 'customer', 13);
    const { c } = await liveSession(server, customer, engineer);
    for (let i = 0; i < 6; i++) {
      await tick(server);
      clock.advance(60_000);
    }
    await tick(server); // the 7th minute cannot be paid
    const end = await c.waitFor('session_end');
    expect(end.payload).toMatchObject({
      endedBy: 'system',
      reason: 'The account ran out of credits.',
      summary: { creditsUsed: 12 },
    });
    const updates = c.events.filter((f) => f.type === 'billing_update').map((f) => f.payload);
    expect(updates.map((u) => u.balance)).toEqual([11, 9, 7, 5, 3, 1]);
    expect(updates.map((u) => u.ratePerMinute)).toEqual([2, 2, 2, 2, 2, 2]);
    // Under 5 minutes (10 credits) left: one warning, on the update that crossed the line.
    expect(updates.map((u) => u.warning ?? null)).toEqual([null, 'low_balance', null, null, null, null]);
    expect(await balanceOf(server, customer)).toBe(1);
    await c.close();
  });
});

describe('billing with two instances on one PostgreSQL database', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers.reverse()) await s.close();
  });

  it('never charges a minute twice, however many instances see the engineer', async () => {
    const clock = new FakeClock('2026-05-03T08:00:00.000Z');
    const a = await startTestServer({ dialect: 'postgres', clock });
    servers.push(a);
    const b = await startTestServer({ dialect: 'postgres', clock, pgSchema: a.pgSchema });
    servers.push(b);
    const customer = await party(a, 'customer', 100);
    const engineer = await party(a, 'engineer');
    const { task, c, e } = await liveSession(a, customer, engineer);
    // The engineer has the session open on the other instance too (a second console tab).
    const e2 = await openSession({ baseUrl: b.baseUrl, taskId: task.id, token: engineer.token });
    for (let minute = 0; minute < 5; minute++) {
      await Promise.all([tick(a), tick(b), tick(a), tick(b)]);
      clock.advance(60_000);
    }
    // Both instances race for the same minute directly, too.
    const results = await Promise.all([
      chargeMinute(a.ctx, task.id, 5),
      chargeMinute(b.ctx, task.id, 5),
      chargeMinute(a.ctx, task.id, 5),
    ]);
    expect(results.map((r) => r.value).sort()).toEqual(['already', 'already', 'charged']);

    expect(await balanceOf(a, customer)).toBe(94);
    const ledger = (await api(b.baseUrl, customer, 'GET', '/v1/credits')).body.ledger as {
      kind: string;
      minuteIndex: number;
    }[];
    expect(
      ledger
        .filter((r) => r.kind === 'charge')
        .map((r) => r.minuteIndex)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4, 5]);
    const transcript = await api(a.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`);
    expect(
      transcript.body.events
        .filter((x: { type: string }) => x.type === 'billing_update')
        .map((x: { payload: { minutes: number } }) => x.payload.minutes),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    expect(transcript.body.chain.verified).toBe(true);
    await Promise.all([c.close(), e.close(), e2.close()]);
  });
});
