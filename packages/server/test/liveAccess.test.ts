import { CLI_CLIENT_ID } from '@codevf/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/clock';
import { api } from './support/api';
import { claim, createTask, type Party, party, tick } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

/**
 * A live socket lives only as long as the access it was opened with: revoking its login,
 * signing its console session out, disabling the account or changing its role closes it at
 * once (4001 unauthorized, 4003 forbidden), and a sweep catches what was not announced.
 */
describe.each(['sqlite', 'postgres'] as const)('live sockets lose their access (%s)', (dialect) => {
  let server: TestServer;
  let clock: FakeClock;
  let admin: Party;
  const open: TestSession[] = [];
  const url = () => server.baseUrl;

  beforeAll(async () => {
    clock = new FakeClock(new Date());
    server = await startTestServer({ dialect, clock, config: { sessionTtlSeconds: 3600 } });
    admin = await party(server, 'admin');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  /** A task of a new customer, claimed by a new engineer. */
  const claimedTask = async () => {
    const customer = await party(server, 'customer', 100);
    const engineer = await party(server, 'engineer');
    const task = await createTask(url(), customer);
    await claim(url(), engineer, task.id);
    return { customer, engineer, task };
  };
  const connect = async (taskId: string, auth: { token?: string; cookie?: string }) => {
    const s = await openSession({ baseUrl: url(), taskId, ...auth, ...(auth.cookie ? { origin: url() } : {}) });
    open.push(s);
    return s;
  };
  /** The close code and reason, and how long after `since` the close came. */
  const closedAfter = async (s: TestSession, since: number) => {
    const { code, reason } = await s.closed;
    return { code, reason, ms: Date.now() - since };
  };
  const revoke = (token: string) =>
    fetch(`${url()}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: CLI_CLIENT_ID }),
    });

  it('closes the sockets of a revoked login (logout) with 4001 within a second; another login stays', async () => {
    const { customer, task } = await claimedTask();
    const other = await server.issueTokens(customer.user.id);
    const s = await connect(task.id, { token: customer.token });
    const kept = await connect(task.id, { token: other.accessToken });
    const t0 = Date.now();
    expect((await revoke(customer.token)).status).toBe(200);
    const closed = await closedAfter(s, t0);
    expect(closed).toMatchObject({ code: 4001, reason: expect.stringMatching(/login was revoked/) });
    expect(closed.ms).toBeLessThan(1_000);
    expect((await kept.request('customer_message', { text: 'still here' })).ack).toBeDefined();
  });

  it('closes the sockets of a login revoked by refresh-token reuse', async () => {
    const { customer, task } = await claimedTask();
    const login = await server.issueTokens(customer.user.id);
    const s = await connect(task.id, { token: login.accessToken });
    const refresh = (refreshToken: string) =>
      fetch(`${url()}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: CLI_CLIENT_ID,
        }),
      });
    expect((await refresh(login.refreshToken)).status).toBe(200);
    // The socket rests on the login, not on the access token that opened it: rotation keeps it.
    expect((await s.request('customer_message', { text: 'rotated' })).ack).toBeDefined();
    const t0 = Date.now();
    expect((await refresh(login.refreshToken)).status).toBe(400); // reuse: the whole login is revoked
    const closed = await closedAfter(s, t0);
    expect(closed.code).toBe(4001);
    expect(closed.ms).toBeLessThan(1_000);
  });

  it('closes every socket of a disabled account with 4003', async () => {
    const { customer, task } = await claimedTask();
    const s = await connect(task.id, { token: customer.token });
    const t0 = Date.now();
    const res = await api(url(), admin, 'PATCH', `/v1/admin/users/${customer.user.id}`, { disabled: true });
    expect(res.status).toBe(200);
    const closed = await closedAfter(s, t0);
    expect(closed).toMatchObject({ code: 4003, reason: 'The account was disabled.' });
    expect(closed.ms).toBeLessThan(1_000);
  });

  it('closes the sockets of a demoted engineer with 4003; other changes leave them open', async () => {
    const { customer, engineer, task } = await claimedTask();
    const e = await connect(task.id, { token: engineer.token });
    const c = await connect(task.id, { token: customer.token });
    // A new title is not an access change.
    expect((await api(url(), admin, 'PATCH', `/v1/admin/users/${engineer.user.id}`, { title: 'Lead' })).status).toBe(
      200,
    );
    expect((await e.request('engineer_message', { text: 'still here' })).ack).toBeDefined();
    const t0 = Date.now();
    await api(url(), admin, 'PATCH', `/v1/admin/users/${engineer.user.id}`, { role: 'customer' });
    const closed = await closedAfter(e, t0);
    expect(closed).toMatchObject({ code: 4003, reason: "The account's role changed to customer." });
    expect(closed.ms).toBeLessThan(1_000);
    await c.waitFor('engineer_disconnected');
  });

  it('closes a console socket when its session is signed out, or expires', async () => {
    const { engineer, task } = await claimedTask();
    const signedIn = await server.signIn(engineer.user.email, engineer.user.password);
    const s = await connect(task.id, { cookie: signedIn.cookie });
    const t0 = Date.now();
    const out = await api(url(), signedIn, 'DELETE', '/v1/auth/session');
    expect(out.status).toBe(204);
    const closed = await closedAfter(s, t0);
    expect(closed).toMatchObject({ code: 4001, reason: expect.stringMatching(/signed out or expired/) });
    expect(closed.ms).toBeLessThan(1_000);

    const again = await server.signIn(engineer.user.email, engineer.user.password);
    const s2 = await connect(task.id, { cookie: again.cookie });
    clock.advance(3600 * 1000 + 1);
    await tick(server); // the access sweep
    expect((await s2.closed).code).toBe(4001);
  });

  it('the sweep closes what no announcement reached (a change made straight in the database)', async () => {
    const { customer, task } = await claimedTask();
    const s = await connect(task.id, { token: customer.token });
    await server.ctx.storage.db.updateTable('users').set({ disabled: 1 }).where('id', '=', customer.user.id).execute();
    expect((await s.request('customer_message', { text: 'not yet noticed' })).ack).toBeDefined();
    await tick(server);
    expect((await s.closed).code).toBe(4003);
  });
});
