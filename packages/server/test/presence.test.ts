import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/clock';
import { liveRuntime } from '../src/live/liveRuntime';
import { api } from './support/api';
import { chargedMinutes, liveSession, party, runFor, tick } from './support/liveFixture';
import { useLiveServer } from './support/liveSuite';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession } from './support/wsClient';

describe.each(['sqlite', 'postgres'] as const)('presence and fair billing (%s)', (dialect) => {
  const clock = new FakeClock('2026-06-01T08:00:00.000Z');
  const live = useLiveServer({
    dialect,
    clock,
    config: { accessTokenTtlSeconds: 24 * 3600, presenceGraceSeconds: 30, customerGoneMinutes: 5 },
  });

  it('tells the engineer the customer left and came back, and bills nothing while they were gone past the grace', async () => {
    const { server, engineer, open } = live;
    const customer = await party(server, 'customer', 100);
    const { task, c, e } = await liveSession(server, customer, engineer);
    open.push(e);
    await tick(server); // minute 0, both here
    await runFor(server, clock, 30_000);
    await c.close();
    const gone = await e.waitFor('customer_disconnected');
    expect(gone.payload).toEqual({ customerId: customer.user.id });
    await runFor(server, clock, 3 * 60_000 + 30_000); // 4:00: minutes 1–3 had nobody to help
    expect(await chargedMinutes(server, customer, task.id)).toEqual([0]);

    const back = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token });
    open.push(back);
    const returned = await e.waitFor((f) => f.type === 'customer_connected' && f.seq! > gone.seq!);
    expect(returned.payload).toEqual({ customerId: customer.user.id });
    await tick(server);
    await runFor(server, clock, 60_000);
    expect(await chargedMinutes(server, customer, task.id)).toEqual([0, 4, 5]);
  });

  it('keeps billing through a reconnect within the grace', async () => {
    const { server, engineer, open } = live;
    const customer = await party(server, 'customer', 100);
    const { task, c, e } = await liveSession(server, customer, engineer);
    open.push(e);
    await tick(server);
    await runFor(server, clock, 50_000);
    await c.close();
    const gone = await e.waitFor('customer_disconnected');
    await runFor(server, clock, 20_000); // 1:10: minute 1 began while the customer was away…
    expect(await chargedMinutes(server, customer, task.id)).toEqual([0]);
    const back = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token });
    open.push(back);
    await e.waitFor((f) => f.type === 'customer_connected' && f.seq! > gone.seq!);
    await tick(server); // …and back within 30 s, so it counts
    expect(await chargedMinutes(server, customer, task.id)).toEqual([0, 1]);
    await runFor(server, clock, 60_000);
    expect(await chargedMinutes(server, customer, task.id)).toEqual([0, 1, 2]);
  });

  it('ends the task when the customer stays away too long; summary, task and ledger agree', async () => {
    const { server, engineer, open } = live;
    const customer = await party(server, 'customer', 100);
    const { task, c, e } = await liveSession(server, customer, engineer);
    open.push(e);
    await tick(server);
    await runFor(server, clock, 70_000); // 1:10, minute 1 charged
    await c.close();
    await e.waitFor('customer_disconnected');
    await runFor(server, clock, 4 * 60_000 + 50_000); // 6:00: 4 min 50 s gone
    expect((await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}`)).body.status).toBe('active');
    await runFor(server, clock, 10_000); // 5 minutes gone
    const end = await e.waitFor('session_end');
    expect(end.payload).toEqual({
      endedBy: 'system',
      reason: 'The customer was disconnected for more than 5 minutes.',
      summary: { engineer: engineer.user.name, durationSeconds: 370, billedMinutes: 2, creditsUsed: 2 },
    });
    const view = (await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}`)).body;
    expect(view).toMatchObject({
      status: 'ended',
      endedBy: 'system',
      endReason: end.payload.reason,
      durationSeconds: 370,
      billedMinutes: 2,
      creditsUsed: 2,
    });
    expect(await chargedMinutes(server, customer, task.id)).toEqual([0, 1]);
    const history = (await api(server.baseUrl, customer, 'GET', '/v1/tasks')).body.tasks as Record<string, unknown>[];
    expect(history.find((t) => t.id === task.id)).toMatchObject({ durationSeconds: 370, billedMinutes: 2 });
  });

  it('charges the started minute at the end, once: summary, task and ledger agree', async () => {
    const { server, engineer, open } = live;
    const customer = await party(server, 'customer', 100);
    const { task, c, e } = await liveSession(server, customer, engineer);
    open.push(c, e);
    await tick(server);
    await runFor(server, clock, 2 * 60_000 + 30_000); // 2:30: minute 2 begun
    clock.advance(5_000);
    // Ended between two ticks: the end itself settles minute 2.
    const endSeq = await c.expectAck('end_session', {});
    const end = await e.waitForSeq(endSeq);
    expect(end.payload).toMatchObject({
      endedBy: 'customer',
      summary: { durationSeconds: 155, billedMinutes: 3, creditsUsed: 3 },
    });
    expect((await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}`)).body).toMatchObject({
      durationSeconds: 155,
      billedMinutes: 3,
      creditsUsed: 3,
    });
    expect(await chargedMinutes(server, customer, task.id)).toEqual([0, 1, 2]);
    expect((await api(server.baseUrl, customer, 'GET', '/v1/credits')).body.balance).toBe(97);
    // The engineer leaving after the end adds nothing.
    await e.close();
    await tick(server);
    const events = (await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`)).body.events;
    expect(events.at(-1).type).toBe('session_end');
  });
});

/** Waits until `instanceId` has stored the customer's sockets on the task (written just after a welcome). */
async function presenceStored(server: TestServer, taskId: string, instanceId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const row = await server.ctx.storage.db
      .selectFrom('task_presence')
      .select('sockets')
      .where('task_id', '=', taskId)
      .where('instance_id', '=', instanceId)
      .where('role', '=', 'customer')
      .executeTakeFirst();
    if (row && Number(row.sockets) > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('presence row never stored');
}

describe('presence across two instances on one PostgreSQL database', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers.reverse()) await s.close();
  });

  it('counts the customer present until their last socket on any instance closes, and retires a dead instance', async () => {
    const clock = new FakeClock('2026-06-02T08:00:00.000Z');
    const config = { accessTokenTtlSeconds: 24 * 3600 };
    const a = await startTestServer({ dialect: 'postgres', clock, config });
    servers.push(a);
    const b = await startTestServer({ dialect: 'postgres', clock, config, pgSchema: a.pgSchema });
    servers.push(b);
    const customer = await party(a, 'customer', 100);
    const engineer = await party(a, 'engineer');
    // Customer on A, engineer on B.
    const { task, c, e } = await liveSession(a, customer, engineer, {}, b);
    const c2 = await openSession({ baseUrl: b.baseUrl, taskId: task.id, token: customer.token });
    await presenceStored(b, task.id, liveRuntime(b.ctx).presence.instanceId);
    await c.close(); // the other socket, on B, is still open
    const marker = await e.expectAck('engineer_message', { text: 'still there?' });
    await e.waitForSeq(marker);
    await Promise.all([tick(a), tick(b)]);
    expect(e.events.filter((f) => f.type.startsWith('customer_')).map((f) => f.type)).toEqual(['customer_connected']);

    // A third socket on A, then A stops refreshing its rows (as a killed process would).
    const c3 = await openSession({ baseUrl: a.baseUrl, taskId: task.id, token: customer.token });
    // Its arrival is stored just after its welcome.
    const instanceA = liveRuntime(a.ctx).presence.instanceId;
    await presenceStored(a, task.id, instanceA);
    await c2.close();
    const marker2 = await e.expectAck('engineer_message', { text: 'and now?' });
    await e.waitForSeq(marker2);
    expect(e.events.some((f) => f.type === 'customer_disconnected')).toBe(false);
    // A keeps its socket but runs no jobs from here on.
    const lastSignOfA = clock.now().toISOString();
    clock.advance(31_000);
    await tick(b);
    const gone = await e.waitFor('customer_disconnected');
    // Noticed 31 s later; counted from when A was last seen.
    expect(gone.payload).toEqual({ customerId: customer.user.id, lastSeenAt: lastSignOfA });
    await Promise.all([c3.close(), e.close()]);
  });
});
