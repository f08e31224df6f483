import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '@codevf/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/clock';
import { PRESENCE_STALE_MS } from '../src/live/instanceHeartbeat';
import { liveRuntime } from '../src/live/liveRuntime';
import { api } from './support/api';
import {
  chargedMinutes,
  claim,
  createTask,
  eventStored,
  liveSession,
  type Party,
  party,
  runFor,
  tick,
} from './support/liveFixture';
import { useLiveServer } from './support/liveSuite';
import { type ServerProcess, startServerProcess } from './support/serverProcess';
import { POSTGRES_URL, REDIS_URL, startTestServer, type TestServer } from './support/testServer';
import { openSession } from './support/wsClient';

/**
 * The customer-gone end and presence when no instance holds a socket of the task: both
 * participants left, or the instance holding their only sockets was killed. Nothing watches
 * such a task but the absent-customer sweep and the retirement of a dead instance's rows.
 */

interface StoredEvent {
  seq: number;
  type: string;
  timestamp: string;
  payload: Record<string, unknown>;
}

async function events(server: TestServer, who: Party, taskId: string): Promise<StoredEvent[]> {
  return (await api(server.baseUrl, who, 'GET', `/v1/tasks/${taskId}/events`)).body.events;
}

/** Waits until an instance has stored both participants' sockets of the task. */
async function bothPresent(server: TestServer, taskId: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const rows = await server.ctx.storage.db
      .selectFrom('task_presence')
      .select('role')
      .where('task_id', '=', taskId)
      .execute();
    if (rows.some((r) => r.role === 'customer') && rows.some((r) => r.role === 'engineer')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('presence rows never stored');
}

describe.each(['sqlite', 'postgres'] as const)('customer gone, nobody connected (%s)', (dialect) => {
  const clock = new FakeClock('2026-06-03T08:00:00.000Z');
  const live = useLiveServer({
    dialect,
    clock,
    config: { accessTokenTtlSeconds: 24 * 3600, presenceGraceSeconds: 30, customerGoneMinutes: 5 },
  });

  it('ends a task both participants left once the customer has been away too long; figures agree', async () => {
    const { server, engineer } = live;
    const customer = await party(server, 'customer', 100);
    const { task, c, e } = await liveSession(server, customer, engineer);
    await tick(server);
    await runFor(server, clock, 70_000); // 1:10, minutes 0 and 1 charged
    await c.close();
    await e.waitFor('customer_disconnected');
    await e.close();
    await eventStored(server, task.id, 'engineer_disconnected');
    // No socket of the task on this (or any) instance: the billing job does not watch it.
    expect([...liveRuntime(server.ctx).presence.tasks()]).not.toContain(task.id);

    await runFor(server, clock, 4 * 60_000 + 50_000); // 6:00: away 4 min 50 s
    expect((await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}`)).body.status).toBe('active');
    await runFor(server, clock, 10_000); // away 5 min
    const view = (await api<Task>(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}`)).body;
    expect(view).toMatchObject({
      status: 'ended',
      endedBy: 'system',
      endReason: 'The customer was disconnected for more than 5 minutes.',
      durationSeconds: 370,
      billedMinutes: 2,
      creditsUsed: 2,
    });
    const end = (await events(server, customer, task.id)).at(-1)!;
    expect(end).toMatchObject({
      type: 'session_end',
      payload: {
        endedBy: 'system',
        reason: view.endReason,
        summary: { engineer: engineer.user.name, durationSeconds: 370, billedMinutes: 2, creditsUsed: 2 },
      },
    });
    expect(await chargedMinutes(server, customer, task.id)).toEqual([0, 1]);
  });

  it('does not end a task whose customer is connected, however long the engineer is away', async () => {
    const { server, engineer, open } = live;
    const customer = await party(server, 'customer', 100);
    const { task, c, e } = await liveSession(server, customer, engineer);
    open.push(c);
    await tick(server);
    await e.close();
    await eventStored(server, task.id, 'engineer_disconnected');
    await runFor(server, clock, 10 * 60_000, 30_000);
    const view = (await api<Task>(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}`)).body;
    // Only minute 0 had both of them.
    expect(view).toMatchObject({ status: 'active', billedMinutes: 1, creditsUsed: 1 });
  });

  it('ends a claimed task whose customer never connected, with a reason that says so', async () => {
    const { server, engineer, open } = live;
    const customer = await party(server, 'customer', 100);
    const task = await createTask(server.baseUrl, customer);
    await claim(server.baseUrl, engineer, task.id);
    const e = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: engineer.token });
    open.push(e);
    await runFor(server, clock, 4 * 60_000 + 50_000);
    expect(e.events.some((f) => f.type === 'session_end')).toBe(false);
    await runFor(server, clock, 10_000);
    const end = await e.waitFor('session_end');
    expect(end.payload).toEqual({
      endedBy: 'system',
      reason: 'The customer did not connect within 5 minutes of the claim.',
      summary: { engineer: engineer.user.name, durationSeconds: 300, billedMinutes: 0, creditsUsed: 0 },
    });
  });
});

/**
 * An instance is killed (SIGKILL) while it holds the only sockets of a live session. The
 * survivor notices its rows stopped being refreshed, records both departures as of when the
 * dead instance was last seen (so the time it lay dead is not billed), and ends the task once
 * the customer has been away too long — with no socket of the task anywhere.
 */
describe('an instance killed holding the only sockets', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  /**
   * The session on `killed`; then the clock of `survivor` (real time until now) jumps to
   * 1 min 30 s after the claim and its jobs run once.
   */
  async function sessionOnKilledInstance(
    killed: ServerProcess,
    survivor: () => Promise<TestServer>,
    clock: FakeClock,
    people: { customer: Party; engineer: Party },
  ) {
    const { customer, engineer } = people;
    const task = await createTask(killed.baseUrl, customer);
    const claimed = await claim(killed.baseUrl, engineer, task.id);
    const c = await openSession({ baseUrl: killed.baseUrl, taskId: task.id, token: customer.token });
    const e = await openSession({ baseUrl: killed.baseUrl, taskId: task.id, token: engineer.token });
    await c.waitFor('engineer_connected');
    const diedBy = Date.now();
    await killed.kill();
    await Promise.all([c.closed, e.closed]);
    const server = await survivor();
    await bothPresent(server, task.id); // the dead instance's rows are still there
    clock.set(new Date(Date.parse(claimed.claimedAt!) + 90_000));
    await tick(server);
    return { server, task, diedBy, customer };
  }

  async function expectEndedFairly(server: TestServer, customer: Party, taskId: string, diedBy: number): Promise<void> {
    const log = await events(server, customer, taskId);
    const gone = log.find((x) => x.type === 'customer_disconnected')!;
    const engineerGone = log.find((x) => x.type === 'engineer_disconnected')!;
    // Recorded by the survivor, 90 s on, but as of the dead instance's last sign of life.
    for (const ev of [gone, engineerGone]) {
      const lastSeen = Date.parse(ev.payload.lastSeenAt as string);
      expect(lastSeen).toBeLessThanOrEqual(diedBy);
      expect(Date.parse(ev.timestamp) - lastSeen).toBeGreaterThanOrEqual(PRESENCE_STALE_MS);
    }
    const view = (await api<Task>(server.baseUrl, customer, 'GET', `/v1/tasks/${taskId}`)).body;
    expect(view).toMatchObject({
      status: 'ended',
      endedBy: 'system',
      endReason: 'The customer was disconnected for more than 1 minute.',
      durationSeconds: 90,
      // Minute 1 began after the instance died: only minute 0 had both of them.
      billedMinutes: 1,
      creditsUsed: 1,
    });
    expect(await chargedMinutes(server, customer, taskId)).toEqual([0]);
    const end = log.at(-1)!;
    expect(end.payload).toMatchObject({
      endedBy: 'system',
      summary: { durationSeconds: 90, billedMinutes: 1, creditsUsed: 1 },
    });
    // Nobody holds a socket of the task: the sweep, not the billing job, ended it.
    expect([...liveRuntime(server.ctx).presence.tasks()]).not.toContain(taskId);
  }

  it('SQLite: the restarted server retires the dead rows and ends the task', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'codevf-gone-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const clock = new FakeClock(new Date());
    const config = { accessTokenTtlSeconds: 24 * 3600, presenceGraceSeconds: 5, customerGoneMinutes: 1 };
    // Accounts first, on the same file; one process at a time opens it.
    const setup = await startTestServer({ dataDir, config });
    const people = { customer: await party(setup, 'customer', 100), engineer: await party(setup, 'engineer') };
    await setup.close();
    const killed = await startServerProcess({}, { dataDir });
    cleanups.push(() => killed.kill());
    const { server, task, diedBy, customer } = await sessionOnKilledInstance(
      killed,
      async () => {
        const restarted = await startTestServer({ dataDir, clock, config });
        cleanups.push(() => restarted.close());
        return restarted;
      },
      clock,
      people,
    );
    await expectEndedFairly(server, customer, task.id, diedBy);
  });

  it('PostgreSQL + Redis: the other instance retires the dead rows and ends the task', async () => {
    const clock = new FakeClock(new Date());
    const config = { accessTokenTtlSeconds: 24 * 3600, presenceGraceSeconds: 5, customerGoneMinutes: 1 };
    const survivor = await startTestServer({ dialect: 'postgres', redis: true, clock, config });
    cleanups.push(() => survivor.close());
    const people = { customer: await party(survivor, 'customer', 100), engineer: await party(survivor, 'engineer') };
    const killed = await startServerProcess({
      DATABASE_URL: POSTGRES_URL,
      CODEVF_DATABASE_SCHEMA: survivor.pgSchema!,
      REDIS_URL,
    });
    cleanups.push(() => killed.kill());
    const { server, task, diedBy, customer } = await sessionOnKilledInstance(
      killed,
      async () => survivor,
      clock,
      people,
    );
    await expectEndedFairly(server, customer, task.id, diedBy);
  });

  it('a customer back on the other instance before the dead one was noticed: the gap is recorded, not billed', async () => {
    const clock = new FakeClock(new Date());
    const config = { accessTokenTtlSeconds: 24 * 3600, presenceGraceSeconds: 5, customerGoneMinutes: 5 };
    const survivor = await startTestServer({ dialect: 'postgres', redis: true, clock, config });
    cleanups.push(() => survivor.close());
    const customer = await party(survivor, 'customer', 100);
    const engineer = await party(survivor, 'engineer');
    const killed = await startServerProcess({
      DATABASE_URL: POSTGRES_URL,
      CODEVF_DATABASE_SCHEMA: survivor.pgSchema!,
      REDIS_URL,
    });
    cleanups.push(() => killed.kill());
    const task = await createTask(killed.baseUrl, customer);
    const claimed = await claim(killed.baseUrl, engineer, task.id);
    const c = await openSession({ baseUrl: killed.baseUrl, taskId: task.id, token: customer.token });
    const e = await openSession({ baseUrl: killed.baseUrl, taskId: task.id, token: engineer.token });
    await c.waitFor('engineer_connected');
    await bothPresent(survivor, task.id);
    await killed.kill();
    await Promise.all([c.closed, e.closed]);

    // Both come back to the survivor 2 min 30 s after the claim, before any of its jobs ran.
    clock.set(new Date(Date.parse(claimed.claimedAt!) + 150_000));
    const c2 = await openSession({ baseUrl: survivor.baseUrl, taskId: task.id, token: customer.token });
    const e2 = await openSession({ baseUrl: survivor.baseUrl, taskId: task.id, token: engineer.token });
    cleanups.push(() => Promise.all([c2.close(), e2.close()]).then(() => {}));
    const gone = await e2.waitFor('customer_disconnected');
    const back = await e2.waitFor((f) => f.type === 'customer_connected' && f.seq! > gone.seq!);
    const presence = e2.events.filter((f) => f.type.startsWith('customer_')).map((f) => f.type);
    expect(presence).toEqual(['customer_connected', 'customer_disconnected', 'customer_connected']);
    expect(Date.parse(gone.payload.lastSeenAt as string)).toBeLessThan(Date.parse(back.timestamp) - 60_000);
    await tick(survivor);
    // Minute 0 had both; minute 1 had neither (the instance was dead); minute 2 has both again.
    expect(await chargedMinutes(survivor, customer, task.id)).toEqual([0, 2]);
    clock.advance(60_000);
    await tick(survivor);
    expect(await chargedMinutes(survivor, customer, task.id)).toEqual([0, 2, 3]);
  });
});
