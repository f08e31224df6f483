import type { Task } from '@codevf/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/clock';
import { eventsAfter } from '../src/tasks/eventLog';
import { api } from './support/api';
import { claim, createTask, type Party, party } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession } from './support/wsClient';

describe.each(['sqlite', 'postgres'] as const)('tasks and queue (%s)', (dialect) => {
  let server: TestServer;
  let clock: FakeClock;
  let customer: Party;
  let engineer: Party;
  const url = () => server.baseUrl;

  beforeAll(async () => {
    clock = new FakeClock('2026-03-01T09:00:00.000Z');
    // One customer fills a long queue below (the per-customer limit has its own tests, caps.test.ts).
    server = await startTestServer({ dialect, clock, config: { maxQueuedTasksPerCustomer: 1_000 } });
    customer = await party(server, 'customer', 50);
    engineer = await party(server, 'engineer', 0, 'Senior engineer');
  });
  afterAll(async () => server?.close());

  it('creates a queued task with position, estimated wait and the remaining balance', async () => {
    const res = await api<Task>(url(), customer, 'POST', '/v1/tasks', {
      description: '  login fails  ',
      mode: 'human',
      maxCredits: 30,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'queued',
      description: 'login fails',
      mode: 'human',
      customerId: customer.user.id,
      engineer: null,
      maxCredits: 30,
      creditsUsed: 0,
      creditsRemaining: 50,
    });
    expect(res.body.queuePosition).toBeGreaterThanOrEqual(1);
    expect(res.body.estimatedWaitSeconds).toBeGreaterThan(0);
    const got = await api<Task>(url(), customer, 'GET', `/v1/tasks/${res.body.id}`);
    expect(got.body).toMatchObject({ id: res.body.id, status: 'queued', queuePosition: res.body.queuePosition });
    // The creation is the first event of the transcript.
    const events = await api(url(), customer, 'GET', `/v1/tasks/${res.body.id}/events`);
    expect(events.body.events[0]).toMatchObject({
      seq: 1,
      type: 'task_status',
      payload: { status: 'queued', queuePosition: res.body.queuePosition },
    });
  });

  it('refuses bad bodies, non-customers and customers without credits', async () => {
    for (const body of [
      {},
      { description: '' },
      { description: 'x', mode: 'robot' },
      { description: 'x', maxCredits: 0 },
      { description: 'x', maxCredits: 1.5 },
    ]) {
      const r = await api(url(), customer, 'POST', '/v1/tasks', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('E_VALIDATION');
    }
    expect((await api(url(), engineer, 'POST', '/v1/tasks', { description: 'x' })).body.code).toBe('E_FORBIDDEN');
    expect((await api(url(), {}, 'POST', '/v1/tasks', { description: 'x' })).status).toBe(401);

    const broke = await party(server, 'customer', 0);
    const r = await api(url(), broke, 'POST', '/v1/tasks', { description: 'help' });
    expect(r.status).toBe(402);
    expect(r.body.code).toBe('E_INSUFFICIENT_CREDITS');
    expect(r.body.detail).toMatch(/balance is 0/);

    const other = await party(server, 'customer', 5);
    const theirProject = await api(url(), other, 'POST', '/v1/projects', { name: 'theirs', type: 'node' });
    if (theirProject.status === 201 || theirProject.status === 200) {
      const r2 = await api(url(), customer, 'POST', '/v1/tasks', { description: 'x', projectId: theirProject.body.id });
      expect(r2.status).toBe(404);
    }
    expect(
      (await api(url(), customer, 'POST', '/v1/tasks', { description: 'x', projectId: 'no-such-project' })).status,
    ).toBe(404);
  });

  it('shows a customer only their own tasks, an engineer the queue and their claims, an admin nothing', async () => {
    const mine = await createTask(url(), customer);
    const stranger = await party(server, 'customer', 10);
    const admin = await party(server, 'admin');
    const otherEngineer = await party(server, 'engineer');

    expect((await api(url(), stranger, 'GET', `/v1/tasks/${mine.id}`)).status).toBe(404);
    expect((await api(url(), admin, 'GET', `/v1/tasks/${mine.id}`)).status).toBe(404);
    expect((await api(url(), stranger, 'GET', '/v1/tasks')).body.tasks.map((t: Task) => t.id)).not.toContain(mine.id);
    expect((await api(url(), customer, 'GET', '/v1/tasks')).body.tasks.map((t: Task) => t.id)).toContain(mine.id);
    expect(
      (await api(url(), customer, 'GET', '/v1/tasks?status=ended')).body.tasks.map((t: Task) => t.id),
    ).not.toContain(mine.id);
    expect((await api(url(), customer, 'GET', '/v1/tasks?status=nope')).status).toBe(400);

    // Engineers see a queued task (the queue) but take part only after claiming.
    expect((await api(url(), engineer, 'GET', `/v1/tasks/${mine.id}`)).status).toBe(200);
    expect((await api(url(), engineer, 'GET', `/v1/tasks/${mine.id}/events`)).body.code).toBe('E_FORBIDDEN');
    const queue = await api(url(), engineer, 'GET', '/v1/queue');
    expect(queue.status).toBe(200);
    const inQueue = (queue.body.tasks as Task[]).find((t) => t.id === mine.id)!;
    expect(inQueue.customerName).toBe(customer.user.name);
    expect((queue.body.tasks as Task[]).map((t) => t.queuePosition)).toEqual(
      (queue.body.tasks as Task[]).map((_, i) => i + 1),
    );
    expect((await api(url(), customer, 'GET', '/v1/queue')).body.code).toBe('E_FORBIDDEN');

    await claim(url(), engineer, mine.id);
    expect((await api(url(), engineer, 'GET', '/v1/tasks')).body.tasks.map((t: Task) => t.id)).toContain(mine.id);
    expect((await api(url(), otherEngineer, 'GET', `/v1/tasks/${mine.id}`)).status).toBe(404);
    expect((await api(url(), otherEngineer, 'GET', '/v1/tasks')).body.tasks).toEqual([]);
    expect((await api(url(), admin, 'GET', '/v1/tasks')).body.tasks).toEqual([]);
    const seen = await api<Task>(url(), customer, 'GET', `/v1/tasks/${mine.id}`);
    expect(seen.body).toMatchObject({
      status: 'active',
      engineer: { id: engineer.user.id, name: engineer.user.name, title: 'Senior engineer' },
    });
    expect(seen.body.queuePosition).toBeUndefined();
  });

  it('lets exactly one of many simultaneous claims win', async () => {
    const task = await createTask(url(), customer);
    const engineers = await Promise.all([1, 2, 3, 4, 5].map(() => party(server, 'engineer')));
    const results = await Promise.all(engineers.map((e) => api(url(), e, 'POST', `/v1/tasks/${task.id}/claim`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('E_CONFLICT');
    const winner = engineers[results.findIndex((r) => r.status === 200)]!;
    expect((await api<Task>(url(), customer, 'GET', `/v1/tasks/${task.id}`)).body.engineer?.id).toBe(winner.user.id);
    // One task_status: active in the transcript, not five.
    const events = await api(url(), customer, 'GET', `/v1/tasks/${task.id}/events`);
    expect(
      events.body.events.filter((e: { payload: { status?: string } }) => e.payload.status === 'active'),
    ).toHaveLength(1);

    expect((await api(url(), customer, 'POST', `/v1/tasks/${task.id}/claim`)).body.code).toBe('E_FORBIDDEN');
    expect((await api(url(), engineer, 'POST', '/v1/tasks/no-such-task/claim')).status).toBe(404);
  });

  it('moves waiting customers up the queue, with estimates from the recent claim pace', async () => {
    // The queue is emptied so positions are ours to predict; then every earlier claim falls
    // out of the 24-hour window the pace is measured over.
    for (const t of (await api(url(), engineer, 'GET', '/v1/queue')).body.tasks as Task[]) {
      await api(url(), engineer, 'POST', `/v1/tasks/${t.id}/claim`);
    }
    clock.advance(25 * 3600_000);
    customer.token = (await server.issueTokens(customer.user.id)).accessToken;
    engineer.token = (await server.issueTokens(engineer.user.id)).accessToken;
    // Claims 90 s apart: the pace the estimate must follow.
    for (let i = 0; i < 3; i++) {
      clock.advance(90_000);
      const t = await createTask(url(), customer);
      await claim(url(), engineer, t.id);
    }
    clock.advance(1_000);
    const a = await createTask(url(), customer);
    clock.advance(1_000);
    const b = await createTask(url(), customer);
    clock.advance(1_000);
    const c = await createTask(url(), customer);
    expect([a.queuePosition, b.queuePosition, c.queuePosition]).toEqual([1, 2, 3]);
    expect([a.estimatedWaitSeconds, b.estimatedWaitSeconds, c.estimatedWaitSeconds]).toEqual([90, 180, 270]);

    const ws = await openSession({ baseUrl: url(), taskId: c.id, token: customer.token });
    clock.advance(28_000); // this claim comes 31 s after the last: the pace speeds up
    await claim(url(), engineer, a.id);
    const update = await ws.waitFor((f) => f.type === 'task_status' && f.payload.queuePosition === 2);
    expect(update.payload.status).toBe('queued');
    // Four claims over 90+90+31 s → 70.33 s per claim.
    expect(update.payload.estimatedWaitSeconds).toBe(Math.round((2 * (90 + 90 + 31)) / 3));

    // A customer cancelling a queued task also moves the others up.
    const end = await api(url(), customer, 'POST', `/v1/tasks/${b.id}/end`, { reason: 'fixed it myself' });
    expect(end.body).toMatchObject({ status: 'ended', endedBy: 'customer', endReason: 'fixed it myself' });
    await ws.waitFor((f) => f.type === 'task_status' && f.payload.queuePosition === 1);
    await ws.close();
  });

  it('tells every task of a long queue its new place after a claim, each exactly once', async () => {
    for (const t of (await api(url(), engineer, 'GET', '/v1/queue')).body.tasks as Task[]) {
      await api(url(), engineer, 'POST', `/v1/tasks/${t.id}/claim`);
    }
    const waiting = await party(server, 'customer', 1_000);
    const tasks: Task[] = [];
    // More than two chunks of the re-ranking (64 tasks each).
    for (let i = 0; i < 150; i++) {
      clock.advance(10);
      tasks.push(await createTask(url(), waiting));
    }
    expect(tasks.map((t) => t.queuePosition)).toEqual(tasks.map((_, i) => i + 1));
    await claim(url(), engineer, tasks[0]?.id as string);
    for (const [i, t] of tasks.slice(1).entries()) {
      const statuses = (await eventsAfter(server.ctx.storage.db, t.id, 0)).filter((e) => e.type === 'task_status');
      expect(statuses.map((e) => JSON.parse(e.payloadJson).queuePosition)).toEqual([i + 2, i + 1]);
    }
  });

  it('ends a task once, by a participant, and takes one rating from the customer after the end', async () => {
    const task = await createTask(url(), customer);
    const stranger = await party(server, 'customer', 10);
    expect((await api(url(), customer, 'POST', `/v1/tasks/${task.id}/rating`, { rating: 5 })).body.code).toBe(
      'E_CONFLICT',
    );
    await claim(url(), engineer, task.id);
    expect((await api(url(), stranger, 'POST', `/v1/tasks/${task.id}/end`, {})).status).toBe(404);
    clock.advance(125_000);
    const ended = await api<Task>(url(), engineer, 'POST', `/v1/tasks/${task.id}/end`, {});
    expect(ended.body).toMatchObject({ status: 'ended', endedBy: 'engineer', endReason: 'Ended by the engineer.' });
    expect((await api(url(), customer, 'POST', `/v1/tasks/${task.id}/end`, {})).body.code).toBe('E_CONFLICT');
    const events = await api(url(), customer, 'GET', `/v1/tasks/${task.id}/events`);
    expect(events.body.events.at(-1)).toMatchObject({
      type: 'session_end',
      payload: { endedBy: 'engineer', summary: { engineer: engineer.user.name, durationSeconds: 125, creditsUsed: 0 } },
    });

    for (const bad of [
      {},
      { rating: 0 },
      { rating: 6 },
      { rating: 4.5 },
      { rating: 'five' },
      { rating: 3, feedback: 'x'.repeat(2001) },
    ]) {
      expect((await api(url(), customer, 'POST', `/v1/tasks/${task.id}/rating`, bad)).status, JSON.stringify(bad)).toBe(
        400,
      );
    }
    expect((await api(url(), engineer, 'POST', `/v1/tasks/${task.id}/rating`, { rating: 5 })).body.code).toBe(
      'E_FORBIDDEN',
    );
    expect((await api(url(), stranger, 'POST', `/v1/tasks/${task.id}/rating`, { rating: 1 })).status).toBe(404);
    const rated = await api<Task>(url(), customer, 'POST', `/v1/tasks/${task.id}/rating`, {
      rating: 4,
      feedback: 'quick and kind',
    });
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ rating: 4, feedback: 'quick and kind' });
    const again = await api(url(), customer, 'POST', `/v1/tasks/${task.id}/rating`, { rating: 1 });
    expect(again.status).toBe(409);
    expect((await api<Task>(url(), customer, 'GET', `/v1/tasks/${task.id}`)).body.rating).toBe(4);
  });
});
