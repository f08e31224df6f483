import type { CreditsView, Task } from '@codevf/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargeMinute } from '../src/billing/billing';
import { FakeClock } from '../src/clock';
import { asAi } from './support/aiFixture';
import { aiSettings } from './support/aiSettings';
import { api } from './support/api';
import { claim, createTask, type Party, party, tick } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

/** Human minutes cost 10, AI minutes 3 once the 2 free AI minutes of the day are used. */
const HUMAN_RATE = 10;
const AI_RATE = 3;
const FREE = 2;

describe.each(['sqlite', 'postgres'] as const)('billing the AI and the human (%s)', (dialect) => {
  let server: TestServer;
  let clock: FakeClock;
  let engineer: Party;
  const open: TestSession[] = [];
  const url = () => server.baseUrl;
  const connect = async (taskId: string, who: Party) => {
    const s = await openSession({ baseUrl: url(), taskId, token: who.token });
    open.push(s);
    return s;
  };
  const charges = async (who: Party, taskId: string) =>
    ((await api<CreditsView>(url(), who, 'GET', '/v1/credits')).body.ledger ?? [])
      .filter((r) => r.kind === 'charge' && r.taskId === taskId)
      .sort((a, b) => (a.minuteIndex ?? 0) - (b.minuteIndex ?? 0))
      .map((r) => [r.minuteIndex, r.amount, r.help, r.note]);
  const updates = (c: TestSession) =>
    c.events.filter((f) => f.type === 'billing_update').map((f) => f.payload as Record<string, unknown>);

  beforeAll(async () => {
    clock = new FakeClock('2026-05-01T08:00:00.000Z');
    server = await startTestServer({
      dialect,
      clock,
      config: {
        accessTokenTtlSeconds: 7 * 24 * 3600,
        creditsPerMinute: HUMAN_RATE,
        ai: aiSettings({ freeMinutesPerDay: FREE, creditsPerMinute: AI_RATE }),
      },
    });
    engineer = await party(server, 'engineer');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  it('bills AI minutes free up to the allowance, then at the AI rate, and human minutes at the human rate, across a hand-over', async () => {
    const customer = await party(server, 'customer', 100);
    const task = await createTask(url(), customer);
    const c = await connect(task.id, customer);
    await tick(server); // minute 0: the AI and the customer are both here
    clock.advance(60_000);
    await tick(server); // minute 1
    clock.advance(60_000);
    await tick(server); // minute 2: the allowance is used up
    await c.waitFor((f) => f.type === 'billing_update' && f.payload.minutes === 3);
    expect(updates(c)).toEqual([
      { creditsUsed: 0, balance: 100, ratePerMinute: 0, minutes: 1, help: 'ai', freeMinutesLeft: 1 },
      { creditsUsed: 0, balance: 100, ratePerMinute: 0, minutes: 2, help: 'ai', freeMinutesLeft: 0 },
      { creditsUsed: 3, balance: 97, ratePerMinute: AI_RATE, minutes: 3, help: 'ai', freeMinutesLeft: 0 },
    ]);
    expect((await api(url(), customer, 'GET', '/v1/ai')).body.freeMinutesLeft).toBe(0);

    clock.advance(40_000); // 2:40 — the customer asks for a human; nobody helps while it waits
    await c.expectAck('request_human', {});
    clock.advance(3 * 60_000);
    await tick(server);
    expect(updates(c)).toHaveLength(3);

    await claim(url(), engineer, task.id); // 5:40
    await connect(task.id, engineer);
    await c.waitFor((f) => f.type === 'engineer_connected' && f.payload.kind === 'human');
    await tick(server); // minute 5: the human's
    clock.advance(60_000);
    await tick(server); // minute 6
    await c.waitFor((f) => f.type === 'billing_update' && f.payload.minutes === 5);
    expect(updates(c).slice(3)).toEqual([
      { creditsUsed: 13, balance: 87, ratePerMinute: HUMAN_RATE, minutes: 4, help: 'human' },
      { creditsUsed: 23, balance: 77, ratePerMinute: HUMAN_RATE, minutes: 5, help: 'human' },
    ]);
    expect(await charges(customer, task.id)).toEqual([
      [0, 0, 'ai', 'minute 1: free AI minute'],
      [1, 0, 'ai', 'minute 2: free AI minute'],
      [2, -AI_RATE, 'ai', 'minute 3: AI'],
      [5, -HUMAN_RATE, 'human', 'minute 6'],
      [6, -HUMAN_RATE, 'human', 'minute 7'],
    ]);
    const ended = await api<Task>(url(), customer, 'POST', `/v1/tasks/${task.id}/end`, {});
    expect(ended.body).toMatchObject({ creditsUsed: 23, billedMinutes: 5, creditsRemaining: 77 });
  });

  it('shares the allowance between tasks and renews it each UTC day', async () => {
    clock.set('2026-05-02T23:58:30.000Z');
    const customer = await party(server, 'customer', 50);
    const first = await createTask(url(), customer);
    const c1 = await connect(first.id, customer);
    await tick(server);
    clock.advance(60_000); // 23:59:30
    await tick(server);
    await c1.waitFor((f) => f.type === 'billing_update' && f.payload.minutes === 2);
    await api(url(), customer, 'POST', `/v1/tasks/${first.id}/end`, {});
    expect((await api(url(), customer, 'GET', '/v1/ai')).body.freeMinutesLeft).toBe(0);

    const second = await createTask(url(), customer);
    const c2 = await connect(second.id, customer);
    await tick(server); // still 2 May: the AI rate
    expect((await c2.waitFor('billing_update')).payload).toMatchObject({ ratePerMinute: AI_RATE, freeMinutesLeft: 0 });
    clock.advance(60_000); // 00:00:30 on 3 May: free again
    await tick(server);
    const next = await c2.waitFor((f) => f.type === 'billing_update' && f.payload.minutes === 2);
    expect(next.payload).toMatchObject({ ratePerMinute: 0, help: 'ai', freeMinutesLeft: FREE - 1 });
    expect((await api(url(), customer, 'GET', '/v1/ai')).body.freeMinutesLeft).toBe(FREE - 1);
    await api(url(), customer, 'POST', `/v1/tasks/${second.id}/end`, {});
  });

  it('bills a minute shared by the AI and a human as the human’s (a take-over within it)', async () => {
    clock.set('2026-05-04T10:00:00.000Z');
    const customer = await party(server, 'customer', 50);
    const guide = await party(server, 'engineer');
    const task = await createTask(url(), customer, { mode: 'ai' });
    const c = await connect(task.id, customer);
    clock.advance(70_000); // 1:10 — minute 0 was the AI's alone
    await api(url(), guide, 'POST', `/v1/tasks/${task.id}/guide`);
    await api(url(), guide, 'POST', `/v1/tasks/${task.id}/takeover`);
    clock.advance(20_000); // 1:30 — the guide comes back as the engineer
    await connect(task.id, guide);
    await c.waitFor((f) => f.type === 'engineer_connected' && f.payload.kind === 'human');
    await tick(server);
    await c.waitFor((f) => f.type === 'billing_update' && f.payload.minutes === 2);
    expect(await charges(customer, task.id)).toEqual([
      [0, 0, 'ai', 'minute 1: free AI minute'],
      [1, -HUMAN_RATE, 'human', 'minute 2'],
    ]);
    await api(url(), customer, 'POST', `/v1/tasks/${task.id}/end`, {});
  });

  it('charges the AI minutes of a handed-over task that ends before a human comes', async () => {
    clock.set('2026-05-05T10:00:00.000Z');
    const customer = await party(server, 'customer', 50);
    const task = await createTask(url(), customer);
    await connect(task.id, customer);
    await asAi(server, task.id, 'engineer_message', { text: 'Looking.' });
    clock.advance(30_000);
    await api(url(), customer, 'POST', `/v1/tasks/${task.id}/human`);
    clock.advance(5 * 60_000);
    const ended = await api<Task>(url(), customer, 'POST', `/v1/tasks/${task.id}/end`, {});
    expect(ended.body).toMatchObject({ status: 'ended', billedMinutes: 1, creditsUsed: 0 });
    expect(await charges(customer, task.id)).toEqual([[0, 0, 'ai', 'minute 1: free AI minute']]);
  });
});

describe('the free AI allowance under concurrent charges (postgres)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      dialect: 'postgres',
      config: { ai: aiSettings({ freeMinutesPerDay: 1, creditsPerMinute: AI_RATE }) },
    });
  });
  afterAll(async () => server?.close());

  it('gives the last free minute to exactly one of two tasks charging at once', async () => {
    for (let round = 0; round < 5; round++) {
      const customer = await party(server, 'customer', 50);
      const a = await createTask(server.baseUrl, customer);
      const b = await createTask(server.baseUrl, customer);
      await Promise.all([chargeMinute(server.ctx, a.id, 0, 'ai'), chargeMinute(server.ctx, b.id, 0, 'ai')]);
      const rows = await server.ctx.storage.db
        .selectFrom('credit_ledger')
        .select(['amount', 'help'])
        .where('user_id', '=', customer.user.id)
        .where('kind', '=', 'charge')
        .execute();
      expect(rows.map((r) => Number(r.amount)).sort((x, y) => x - y)).toEqual([-AI_RATE, 0]);
      expect(rows.every((r) => r.help === 'ai')).toBe(true);
    }
  });
});
