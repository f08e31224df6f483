import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/clock';
import { resolveConfig } from '../src/config';
import { liveRuntime } from '../src/live/liveRuntime';
import { type AiWorld, aiCustomer, run, say, shown, startAiWorld, TEST_COMMAND } from './support/aiWorld';
import { api } from './support/api';
import { chargedMinutes, claim, createTask, type Party, party, tick } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

interface StoredEvent {
  seq: number;
  type: string;
  timestamp: string;
  payload: Record<string, unknown>;
}

const AGENT_SECONDS = 60;
const config = {
  accessTokenTtlSeconds: 24 * 3600,
  presenceGraceSeconds: 5,
  customerGoneMinutes: 2,
  agentPresenceSeconds: AGENT_SECONDS,
};

/** Read as the engineer: the customer's own reads are their agent's calls, which keep them present. */
async function transcript(server: TestServer, who: Party, taskId: string): Promise<StoredEvent[]> {
  return (await api(server.baseUrl, who, 'GET', `/v1/tasks/${taskId}/events`)).body.events;
}

const presenceOf = (events: StoredEvent[]) =>
  events
    .filter((e) => e.type === 'customer_connected' || e.type === 'customer_disconnected')
    .map((e) => e.type.replace('customer_', ''));

/** The customer's presence rows of the task: the agent's, and one per instance holding their sockets. */
async function customerPresenceRows(server: TestServer, taskId: string): Promise<number> {
  const rows = await server.ctx.storage.db
    .selectFrom('task_presence')
    .select('instance_id')
    .where('task_id', '=', taskId)
    .where('role', '=', 'customer')
    .execute();
  return rows.length;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

describe.each(['sqlite', 'postgres'] as const)('presence of an agent-driven customer (%s)', (dialect) => {
  let server: TestServer;
  let clock: FakeClock;
  let engineer: Party;
  const open: TestSession[] = [];

  beforeAll(async () => {
    clock = new FakeClock('2026-03-01T09:00:00.000Z');
    server = await startTestServer({ dialect, clock, config });
    engineer = await party(server, 'engineer', 0);
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  /** A claimed agent-driven task with the engineer's socket open and their arrival stored. */
  async function claimedAgentTask(customer: Party): Promise<string> {
    const task = await createTask(server.baseUrl, customer, { mode: 'human', driver: 'agent' });
    await claim(server.baseUrl, engineer, task.id);
    const e = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: engineer.token });
    open.push(e);
    await until(
      async () => (await transcript(server, engineer, task.id)).some((ev) => ev.type === 'engineer_connected'),
      'engineer_connected',
    );
    return task.id;
  }

  const poll = (customer: Party, taskId: string, wait = 0) =>
    api(server.baseUrl, customer, 'GET', `/v1/tasks/${taskId}/events?after=0&wait=${wait}`);

  /** Moves the clock in steps, the agent polling at each (when it polls), running the background jobs. */
  async function advance(ms: number, step: number, agent?: { customer: Party; taskId: string }): Promise<void> {
    for (let left = ms; left > 0; left -= step) {
      clock.advance(Math.min(step, left));
      if (agent) expect((await poll(agent.customer, agent.taskId)).status).toBe(200);
      await tick(server);
    }
  }

  it('bills while the agent polls, stops billing once it stops, and ends the task after the customer-gone time', async () => {
    const customer = await party(server, 'customer', 100);
    const taskId = await claimedAgentTask(customer);
    await poll(customer, taskId);
    const arrived = (await transcript(server, engineer, taskId)).find((e) => e.type === 'customer_connected');
    expect(arrived?.payload).toEqual({ customerId: customer.user.id, via: 'agent' });

    // Three minutes of an agent polling every 20 s: present throughout, each minute billed.
    await advance(180_000, 20_000, { customer, taskId });
    const lastCall = clock.now().toISOString();
    expect(await chargedMinutes(server, customer, taskId)).toEqual([0, 1, 2, 3]);
    expect(presenceOf(await transcript(server, engineer, taskId))).toEqual(['connected']);

    // The agent stops. Within its window it still counts as present; after, it is gone as of its last call.
    await advance(AGENT_SECONDS * 1000 - 10_000, 10_000);
    expect(presenceOf(await transcript(server, engineer, taskId))).toEqual(['connected']);
    await advance(20_000, 10_000);
    const events = await transcript(server, engineer, taskId);
    expect(presenceOf(events)).toEqual(['connected', 'disconnected']);
    expect(events.find((e) => e.type === 'customer_disconnected')?.payload).toMatchObject({ lastSeenAt: lastCall });
    // Minute 4 (from 09:04, inside the window but after the last call) is not charged.
    const billed = await chargedMinutes(server, customer, taskId);
    expect(billed).toEqual([0, 1, 2, 3]);

    // Nothing more is billed; the customer-gone end comes CODEVF_CUSTOMER_GONE_MINUTES after the last call.
    const task = async () => (await api(server.baseUrl, customer, 'GET', `/v1/tasks/${taskId}`)).body;
    expect((await task()).status).toBe('active');
    await advance(40_000, 10_000);
    expect((await task()).status).toBe('active');
    await advance(20_000, 10_000);
    const ended = await task();
    expect(ended).toMatchObject({ status: 'ended', endedBy: 'system' });
    expect(Date.parse(ended.endedAt) - Date.parse(lastCall)).toBeGreaterThanOrEqual(
      config.customerGoneMinutes * 60_000,
    );
    expect(await chargedMinutes(server, customer, taskId)).toEqual(billed);
  });

  it('counts a long-poll in progress as a call lasting its whole wait', async () => {
    const customer = await party(server, 'customer', 100);
    const taskId = await claimedAgentTask(customer);
    await poll(customer, taskId);
    const head = (await api(server.baseUrl, customer, 'GET', `/v1/tasks/${taskId}/events`)).body.nextAfter;
    // A wait that spans 50 s of the server's clock (the clock moves while it waits).
    const waiting = api(server.baseUrl, customer, 'GET', `/v1/tasks/${taskId}/events?after=${head}&wait=2`);
    await until(async () => liveRuntime(server.ctx).waits.size === 1, 'the wait to start');
    clock.advance(50_000);
    await tick(server);
    expect((await waiting).status).toBe(200);
    const endOfWait = clock.now().toISOString();
    // 80 s after the wait began, 30 s after it ended: still present.
    await advance(30_000, 10_000);
    expect(presenceOf(await transcript(server, engineer, taskId))).toEqual(['connected']);
    await advance(40_000, 10_000);
    const gone = (await transcript(server, engineer, taskId)).find((e) => e.type === 'customer_disconnected');
    expect(gone?.payload).toMatchObject({ lastSeenAt: endOfWait });
  });

  it('lets a terminal join an agent-driven task: one presence while either is there', async () => {
    const customer = await party(server, 'customer', 100);
    const taskId = await claimedAgentTask(customer);
    await poll(customer, taskId);
    // The terminal comes and goes while the agent is active: no presence change.
    const c = await openSession({ baseUrl: server.baseUrl, taskId, token: customer.token });
    await until(async () => (await customerPresenceRows(server, taskId)) === 2, 'the socket row');
    const m = await api(server.baseUrl, customer, 'POST', `/v1/tasks/${taskId}/messages`, {
      type: 'customer_message',
      payload: { text: 'from the agent' },
    });
    expect((await c.waitFor((f) => f.type === 'customer_message')).seq).toBe(m.body.seq);
    await c.close();
    await until(async () => (await customerPresenceRows(server, taskId)) === 1, 'the socket row to go');
    expect(presenceOf(await transcript(server, engineer, taskId))).toEqual(['connected']);

    // The terminal holds the customer present after the agent stopped, until it closes too.
    const c2 = await openSession({ baseUrl: server.baseUrl, taskId, token: customer.token });
    await advance((AGENT_SECONDS + 20) * 1000, 10_000);
    expect(presenceOf(await transcript(server, engineer, taskId))).toEqual(['connected']);
    await c2.close();
    await until(
      async () => presenceOf(await transcript(server, engineer, taskId)).join() === 'connected,disconnected',
      'the departure after the terminal closed',
    );
  });

  it('does not take reads of a terminal-driven task as presence', async () => {
    const customer = await party(server, 'customer', 100);
    const task = await createTask(server.baseUrl, customer, { mode: 'human' });
    expect(task.driver).toBe('terminal');
    await claim(server.baseUrl, engineer, task.id);
    await poll(customer, task.id);
    await api(server.baseUrl, customer, 'POST', `/v1/tasks/${task.id}/messages`, {
      type: 'customer_message',
      payload: { text: 'hi' },
    });
    expect(presenceOf(await transcript(server, engineer, task.id))).toEqual([]);
  });
});

describe('CODEVF_AGENT_PRESENCE_SECONDS', () => {
  it('defaults to 90 and refuses values that would take a waiting agent for gone', () => {
    expect(resolveConfig({}, {}).agentPresenceSeconds).toBe(90);
    expect(resolveConfig({}, { CODEVF_AGENT_PRESENCE_SECONDS: '120' }).agentPresenceSeconds).toBe(120);
    for (const bad of ['30', '59', '90.5', 'soon'])
      expect(() => resolveConfig({}, { CODEVF_AGENT_PRESENCE_SECONDS: bad }), bad).toThrow(
        /CODEVF_AGENT_PRESENCE_SECONDS|expected a number/,
      );
  });
});

describe('the AI in an agent-driven task (scripted model)', () => {
  let world: AiWorld;
  beforeAll(async () => {
    world = await startAiWorld();
  });
  afterAll(async () => world?.close());

  it('talks with an agent that polls and posts, and reads why the agent declined its request', async () => {
    const { server, model } = world;
    model.push(run(TEST_COMMAND, 'Hi! Let me run your tests first.'), say('Understood; paste the failing test then.'));
    const { customer, projectId } = await aiCustomer(server);
    const task = await createTask(server.baseUrl, customer, { mode: 'hybrid', projectId, driver: 'agent' });
    expect(task).toMatchObject({ status: 'active', driver: 'agent' });

    // The agent follows the task with bounded waits, as `codevf messages --wait` does.
    const seen: StoredEvent[] = [];
    const next = async (type: string): Promise<StoredEvent> => {
      for (let i = 0; i < 20; i++) {
        const found = seen.find((e) => e.type === type);
        if (found) return found;
        const after = seen.at(-1)?.seq ?? 0;
        const page = await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events?after=${after}&wait=5`);
        seen.push(...page.body.events);
      }
      throw new Error(`no ${type}`);
    };
    expect((await next('engineer_message')).payload.text).toBe('Hi! Let me run your tests first.');
    const request = await next('request_command');
    expect(request.payload).toMatchObject({ command: TEST_COMMAND });
    expect(seen.find((e) => e.type === 'customer_connected')?.payload).toMatchObject({ via: 'agent' });

    const declined = await api(server.baseUrl, customer, 'POST', `/v1/tasks/${task.id}/messages`, {
      type: 'approve_command',
      payload: { requestId: request.payload.requestId, approved: false, reason: 'the suite needs a database here' },
    });
    expect(declined.status).toBe(201);
    await model.waitForRequests(2);
    expect(shown(model.requests[1]!)).toContain('Their reason: the suite needs a database here');
    seen.length = 0;
    seen.push({ seq: declined.body.seq, type: 'approve_command', timestamp: '', payload: {} });
    expect((await next('engineer_message')).payload.text).toBe('Understood; paste the failing test then.');
  });
});
