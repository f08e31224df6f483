import type { AdminEngineer, AdminTaskList } from '@codevf/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { medianSeconds } from '../src/admin/adminOverview';
import { FakeClock } from '../src/clock';
import { api } from './support/api';
import { claim, createTask, type Party, party } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';

/**
 * The admin overview on a seeded history made through the API under a fake clock: every figure
 * is known from how the history was made. Admins only, checked on every request.
 */
describe.each(['sqlite', 'postgres'] as const)('admin overview (%s)', (dialect) => {
  let server: TestServer;
  let clock: FakeClock;
  let admin: Party;
  let customer: Party;
  let alice: Party;
  let bob: Party;
  let carl: Party;
  const ids: Record<string, string> = {};
  const url = () => server.baseUrl;

  /** A task created now, claimed after `wait` s by `who`, ended after `session` s, rated. */
  async function history(
    name: string,
    plan: { who?: Party; wait?: number; session?: number; rating?: number; cancel?: boolean } = {},
  ) {
    const task = await createTask(url(), customer, { mode: 'human', description: `task ${name}` });
    ids[name] = task.id;
    if (plan.cancel) {
      await api(url(), customer, 'POST', `/v1/tasks/${task.id}/end`, {});
      return;
    }
    if (!plan.who) return;
    clock.advance((plan.wait ?? 0) * 1000);
    await claim(url(), plan.who, task.id);
    if (plan.session === undefined) return;
    clock.advance(plan.session * 1000);
    expect((await api(url(), plan.who, 'POST', `/v1/tasks/${task.id}/end`, {})).status).toBe(200);
    if (plan.rating) await api(url(), customer, 'POST', `/v1/tasks/${task.id}/rating`, { rating: plan.rating });
  }

  beforeAll(async () => {
    clock = new FakeClock('2026-03-01T09:00:00.000Z');
    server = await startTestServer({ dialect, clock, config: { maxQueuedTasksPerCustomer: 100 } });
    admin = await party(server, 'admin');
    customer = await party(server, 'customer', 1_000);
    alice = await party(server, 'engineer', 0, 'Lead');
    bob = await party(server, 'engineer');
    carl = await party(server, 'engineer');
    // Day one (2026-03-01).
    await history('t1', { who: alice, wait: 60, session: 180, rating: 5 });
    await history('t2', { who: alice, wait: 120, session: 60, rating: 3 });
    await history('t3', { who: alice, wait: 300 });
    await history('t4', { who: bob, wait: 30, session: 60, rating: 4 });
    await history('t5');
    // Day two (2026-03-02).
    clock.set(new Date('2026-03-02T10:00:00.000Z'));
    // Access tokens last less than a day: everyone signs in again.
    for (const p of [admin, customer, alice, bob, carl]) p.token = (await server.issueTokens(p.user.id)).accessToken;
    await history('t6', { who: bob, wait: 90, session: 30 });
    await history('t7', { cancel: true });
  });
  afterAll(async () => server?.close());

  const tasks = async (query = '') => {
    const res = await api<AdminTaskList>(url(), admin, 'GET', `/v1/admin/tasks${query}`);
    expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body;
  };
  const names = (list: AdminTaskList) => list.tasks.map((t) => Object.keys(ids).find((k) => ids[k] === t.id));

  it('refuses customers, engineers and the signed-out, on every admin overview endpoint', async () => {
    for (const path of ['/v1/admin/tasks', '/v1/admin/tasks?status=ended', '/v1/admin/engineers']) {
      for (const who of [customer, alice]) {
        const res = await api(url(), who, 'GET', path);
        expect(res.status, path).toBe(403);
        expect(res.body.code).toBe('E_FORBIDDEN');
      }
      expect((await fetch(`${url()}${path}`)).status, path).toBe(401);
    }
  });

  it('lists every task newest first, with status, mode, engineer, duration, credits and rating', async () => {
    const all = await tasks();
    expect(all.total).toBe(7);
    expect(names(all)).toEqual(['t7', 't6', 't5', 't4', 't3', 't2', 't1']);
    const t1 = all.tasks.find((t) => t.id === ids.t1);
    expect(t1).toMatchObject({
      status: 'ended',
      mode: 'human',
      engineer: { id: alice.user.id, name: alice.user.name, title: 'Lead' },
      customerName: customer.user.name,
      durationSeconds: 180,
      rating: 5,
    });
    const one = await api(url(), customer, 'GET', `/v1/tasks/${ids.t1}`);
    expect(t1?.creditsUsed).toBe(one.body.creditsUsed);
    expect(all.tasks.find((t) => t.id === ids.t5)).toMatchObject({
      status: 'queued',
      engineer: null,
      durationSeconds: null,
    });
  });

  it('filters by status, mode, engineer and creation day, and pages', async () => {
    expect(names(await tasks('?status=ended'))).toEqual(['t7', 't6', 't4', 't2', 't1']);
    expect(names(await tasks('?status=queued'))).toEqual(['t5']);
    expect(names(await tasks('?status=active'))).toEqual(['t3']);
    expect((await tasks('?mode=human')).total).toBe(7);
    expect((await tasks('?mode=ai')).total).toBe(0);
    expect(names(await tasks(`?engineerId=${alice.user.id}`))).toEqual(['t3', 't2', 't1']);
    expect(names(await tasks(`?engineerId=${bob.user.id}&status=ended`))).toEqual(['t6', 't4']);
    expect((await tasks(`?engineerId=${carl.user.id}`)).total).toBe(0);
    expect(names(await tasks('?from=2026-03-02'))).toEqual(['t7', 't6']);
    expect(names(await tasks('?to=2026-03-01'))).toEqual(['t5', 't4', 't3', 't2', 't1']);
    expect(names(await tasks('?from=2026-03-01&to=2026-03-01&status=ended'))).toEqual(['t4', 't2', 't1']);
    expect((await tasks('?from=2026-03-03')).total).toBe(0);

    const first = await tasks('?limit=3');
    expect(first).toMatchObject({ total: 7, limit: 3, offset: 0 });
    expect(names(first)).toEqual(['t7', 't6', 't5']);
    expect(names(await tasks('?limit=3&offset=3'))).toEqual(['t4', 't3', 't2']);
    const last = await tasks('?limit=3&offset=6');
    expect(names(last)).toEqual(['t1']);
    expect(last.total).toBe(7);
  });

  it('refuses bad filters with E_VALIDATION naming the field', async () => {
    for (const [query, field] of [
      ['?status=done', 'status'],
      ['?mode=robot', 'mode'],
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=ten', 'limit'],
      ['?offset=-1', 'offset'],
      ['?from=2026-13-01', 'from'],
      ['?from=2026-02-30', 'from'],
      ['?to=yesterday', 'to'],
      ['?from=2026-03-02&to=2026-03-01', 'from'],
      ['?engineer=x', 'engineer'],
    ] as const) {
      const res = await api(url(), admin, 'GET', `/v1/admin/tasks${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code, query).toBe('E_VALIDATION');
      expect(JSON.stringify(res.body), query).toContain(field);
    }
  });

  it("gives each engineer's sessions, average rating and median time to claim", async () => {
    const res = await api<{ engineers: AdminEngineer[] }>(url(), admin, 'GET', '/v1/admin/engineers');
    expect(res.status).toBe(200);
    const by = (p: Party) => res.body.engineers.find((e) => e.id === p.user.id);
    expect(by(alice)).toMatchObject({
      name: alice.user.name,
      email: alice.user.email,
      title: 'Lead',
      sessions: 3,
      activeSessions: 1,
      ratings: 2,
      averageRating: 4,
      medianClaimSeconds: 120,
    });
    expect(by(bob)).toMatchObject({
      sessions: 2,
      activeSessions: 0,
      ratings: 1,
      averageRating: 4,
      medianClaimSeconds: 60,
    });
    expect(by(carl)).toMatchObject({ sessions: 0, ratings: 0, averageRating: null, medianClaimSeconds: null });
    // Only engineers: no customer or admin, and not the AI participant.
    expect(res.body.engineers.map((e) => e.id).sort()).toEqual([alice.user.id, bob.user.id, carl.user.id].sort());
  });
});

describe('medianSeconds', () => {
  it('takes the middle value, or the mean of the two middle ones, rounded', () => {
    expect(medianSeconds([])).toBeNull();
    expect(medianSeconds([7])).toBe(7);
    expect(medianSeconds([300, 60, 120])).toBe(120);
    expect(medianSeconds([30, 90])).toBe(60);
    expect(medianSeconds([1, 2])).toBe(2);
    expect(medianSeconds([10, 1, 1000, 3])).toBe(7);
  });
});
