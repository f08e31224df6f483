import type { Task } from '@codevf/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/clock';
import { MAX_WAITS_PER_USER } from '../src/live/eventWaits';
import { liveRuntime } from '../src/live/liveRuntime';
import { api } from './support/api';
import { claim, createTask, eventStored, type Party, party, tick } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

/** The REST side of an agent-driven task: the long-poll of events and messages posted without a socket. */
describe.each(['sqlite', 'postgres'] as const)('agent API: events long-poll and messages (%s)', (dialect) => {
  let server: TestServer;
  let clock: FakeClock;
  let customer: Party;
  let engineer: Party;
  const open: TestSession[] = [];
  const url = () => server.baseUrl;

  beforeAll(async () => {
    clock = new FakeClock('2026-03-01T09:00:00.000Z');
    server = await startTestServer({ dialect, clock });
    customer = await party(server, 'customer', 500);
    engineer = await party(server, 'engineer', 0, 'Staff engineer');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  /** A claimed task with the engineer's socket open; the customer drives it over REST only. */
  async function agentTask(): Promise<{ id: string; e: TestSession; head: number }> {
    const task = await createTask(url(), customer, { mode: 'human', driver: 'agent' });
    const { e, head } = await engineerJoinsAgentTask(server, customer, engineer, task.id);
    open.push(e);
    return { id: task.id, e, head };
  }

  /** A queued task the agent follows: nothing happens in it until someone acts. */
  async function queuedAgentTask(): Promise<{ id: string; head: number }> {
    const task = await createTask(url(), customer, { mode: 'human', driver: 'agent' });
    return { id: task.id, head: await agentArrived(server, customer, task.id) };
  }

  it('answers at once with events past `after`, and waits for the next one when there is none', async () => {
    const { id, e, head } = await agentTask();
    const now = await api(url(), customer, 'GET', `/v1/tasks/${id}/events?after=0&wait=30`);
    expect(now.status).toBe(200);
    expect(now.body.events.length).toBeGreaterThan(0);

    const t0 = Date.now();
    const polled = api(url(), customer, 'GET', `/v1/tasks/${id}/events?after=${head}&wait=30`);
    await until(() => liveRuntime(server.ctx).waits.size === 1);
    e.send('engineer_message', { text: 'which node version?' });
    const got = await polled;
    expect(got.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const chat = got.body.events.find((ev: { type: string }) => ev.type === 'engineer_message');
    expect(chat.payload.text).toBe('which node version?');
    expect(got.body.nextAfter).toBe(got.body.events.at(-1).seq);
    expect(liveRuntime(server.ctx).waits.size).toBe(0);
  });

  it('ends a wait after its time with no events, and at once on an ended task', async () => {
    const { id, head } = await queuedAgentTask();
    const t0 = Date.now();
    const empty = await api(url(), customer, 'GET', `/v1/tasks/${id}/events?after=${head}&wait=1`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(empty.body).toMatchObject({ events: [], nextAfter: head });

    await api(url(), customer, 'POST', `/v1/tasks/${id}/end`, {});
    const last = (await api(url(), customer, 'GET', `/v1/tasks/${id}/events`)).body.nextAfter;
    const t1 = Date.now();
    const ended = await api(url(), customer, 'GET', `/v1/tasks/${id}/events?after=${last}&wait=30`);
    expect(ended.status).toBe(200);
    expect(ended.body.events).toEqual([]);
    expect(Date.now() - t1).toBeLessThan(5_000);
  });

  it('refuses a bad wait next to the good one, with a hint', async () => {
    const { id } = await agentTask();
    for (const wait of ['56', '1.5', 'abc', '-1']) {
      const r = await api(url(), customer, 'GET', `/v1/tasks/${id}/events?wait=${wait}`);
      expect(r.status, wait).toBe(400);
      expect(r.body.code).toBe('E_VALIDATION');
      expect(r.body.detail, wait).toMatch(/wait/);
    }
    expect((await api(url(), customer, 'GET', `/v1/tasks/${id}/events?wait=55`)).status).toBe(200);
    const other = await party(server, 'customer', 10);
    expect((await api(url(), other, 'GET', `/v1/tasks/${id}/events?wait=1`)).body.code).toBe('E_NOT_FOUND');
  });

  it('frees the wait, its timer and its subscription when the caller goes away', async () => {
    const { id, head } = await queuedAgentTask();
    await expectAbandonedWaitFreed(server, customer, id, head);
  });

  it(`bounds the waits one account holds at once to ${MAX_WAITS_PER_USER}`, async () => {
    const { id, head } = await queuedAgentTask();
    const gone = new AbortController();
    const calls = Array.from({ length: MAX_WAITS_PER_USER }, () =>
      fetch(`${url()}/v1/tasks/${id}/events?after=${head}&wait=50`, {
        headers: { authorization: `Bearer ${customer.token}` },
        signal: gone.signal,
      }).catch(() => null),
    );
    await until(() => liveRuntime(server.ctx).waits.size === MAX_WAITS_PER_USER);
    const over = await api(url(), customer, 'GET', `/v1/tasks/${id}/events?after=${head}&wait=50`);
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('E_LIMIT_REACHED');
    // Another account is not affected, nor a read that does not wait.
    expect((await api(url(), customer, 'GET', `/v1/tasks/${id}/events?after=${head}`)).status).toBe(200);
    gone.abort();
    await Promise.all(calls);
    await until(() => liveRuntime(server.ctx).waits.size === 0);
  });

  it('takes a customer message through the live path: stored, sent to the engineer, acked with its seq', async () => {
    const { id, e } = await agentTask();
    const r = await api(url(), customer, 'POST', `/v1/tasks/${id}/messages`, {
      type: 'customer_message',
      payload: { text: 'node 22' },
      id: 'agent-msg-1',
    });
    expect(r.status).toBe(201);
    expect(r.body.seq).toBeGreaterThan(0);
    const seen = await e.waitFor((f) => f.type === 'customer_message');
    expect(seen.seq).toBe(r.body.seq);
    expect(seen.payload).toMatchObject({ text: 'node 22' });
    // A retry with the same id stores nothing new and answers the first seq.
    const again = await api(url(), customer, 'POST', `/v1/tasks/${id}/messages`, {
      type: 'customer_message',
      payload: { text: 'node 22' },
      id: 'agent-msg-1',
    });
    expect(again).toMatchObject({ status: 201, body: { seq: r.body.seq } });
    const all = await api(url(), customer, 'GET', `/v1/tasks/${id}/events`);
    expect(all.body.events.filter((ev: { type: string }) => ev.type === 'customer_message')).toHaveLength(1);
  });

  it('answers an engineer request over REST: approve, output, result, and a decline with its reason', async () => {
    const { id, e } = await agentTask();
    const asked = await e.expectAck('request_command', { command: 'npm test', reason: 'see the failure' });
    const { requestId } = (await e.waitFor((f) => f.type === 'request_command')).payload as { requestId: string };
    expect(asked).toBeGreaterThan(0);
    const post = (type: string, payload: unknown) =>
      api(url(), customer, 'POST', `/v1/tasks/${id}/messages`, { type, payload });
    expect((await post('approve_command', { requestId, approved: true, scope: 'once' })).status).toBe(201);
    expect((await post('command_output', { requestId, stream: 'stdout', data: '1 failing\n' })).status).toBe(201);
    const done = await post('command_result', {
      requestId,
      exitCode: 1,
      durationMs: 40,
      truncated: false,
      redactions: 0,
    });
    expect(done.status).toBe(201);
    expect((await e.waitFor((f) => f.type === 'command_result')).seq).toBe(done.body.seq);
    // The request is finished: more output is a conflict, as on the socket.
    const late = await post('command_output', { requestId, stream: 'stdout', data: 'x' });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('E_CONFLICT');

    await e.expectAck('request_file', { path: '.env', reason: 'config' });
    const file = (await e.waitFor((f) => f.type === 'request_file')).payload as { requestId: string };
    const no = await post('approve_file', { requestId: file.requestId, approved: false, reason: 'holds secrets' });
    expect(no.status).toBe(201);
    const declined = await e.waitFor((f) => f.type === 'approve_file');
    expect(declined.payload).toMatchObject({ approved: false, reason: 'holds secrets' });
  });

  it('takes a file_upload as large as the socket allows, and refuses a larger body with E_TOO_LARGE', async () => {
    const { id, e } = await agentTask();
    await e.expectAck('request_file', { path: 'big.log', reason: 'the log' });
    const { requestId } = (await e.waitFor((f) => f.type === 'request_file')).payload as { requestId: string };
    const post = (payload: unknown) =>
      api(url(), customer, 'POST', `/v1/tasks/${id}/messages`, { type: 'file_upload', payload });
    expect(
      (
        await api(url(), customer, 'POST', `/v1/tasks/${id}/messages`, {
          type: 'approve_file',
          payload: { requestId, approved: true },
        })
      ).status,
    ).toBe(201);
    // Over the server's default body limit (1 MiB) once JSON-escaped: every line ends in "\n".
    const content = 'a\n'.repeat(500_000);
    const file = {
      requestId,
      path: 'big.log',
      size: content.length,
      sha256: 'a'.repeat(64),
      encoding: 'utf8',
      redactions: 0,
    };
    const tooBig = await post({ ...file, content: 'x'.repeat(5 * 1024 * 1024) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe('E_TOO_LARGE');
    const ok = await post({ ...file, content });
    expect(ok.status).toBe(201);
    expect((await e.waitFor((f) => f.type === 'file_upload')).seq).toBe(ok.body.seq);
  });

  it('refuses bad messages next to good ones, each with the code the socket would give', async () => {
    const { id, e } = await agentTask();
    const post = (body: unknown, who: Party = customer, task = id) =>
      api(url(), who, 'POST', `/v1/tasks/${task}/messages`, body);
    const cases: [unknown, number, string, RegExp][] = [
      [{ type: 'no_such_type', payload: {} }, 400, 'E_VALIDATION', /unknown message type/],
      [{ type: 'hello', payload: { protocolVersion: 1 } }, 400, 'E_VALIDATION', /hello/],
      [{ type: 'request_command', payload: { command: 'ls' } }, 403, 'E_FORBIDDEN', /customer may not send/],
      [{ type: 'customer_message', payload: { text: '' } }, 400, 'E_VALIDATION', /payload\.text/],
      [{ type: 'customer_message' }, 400, 'E_VALIDATION', /payload\.text/],
      [{ type: 'customer_message', payload: { text: 'x' }, id: 'bad id!' }, 400, 'E_VALIDATION', /id/],
      [{ payload: { text: 'x' } }, 400, 'E_VALIDATION', /type/],
      [{ type: 'approve_command', payload: { requestId: 'nope', approved: true } }, 404, 'E_NOT_FOUND', /request/],
      [
        { type: 'approve_file', payload: { requestId: 'r', approved: false, reason: 'x'.repeat(501) } },
        400,
        'E_VALIDATION',
        /payload\.reason/,
      ],
    ];
    for (const [body, status, code, detail] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.code, JSON.stringify(body)).toBe(code);
      expect(r.body.detail, JSON.stringify(body)).toMatch(detail);
    }
    expect((await post({ type: 'customer_message', payload: { text: 'fine' } })).status).toBe(201);

    // The engineer of the task, another customer, nobody.
    const asEngineer = await post({ type: 'engineer_message', payload: { text: 'hi' } }, engineer);
    expect(asEngineer).toMatchObject({ status: 403, body: { code: 'E_FORBIDDEN' } });
    const other = await party(server, 'customer', 10);
    const theirs = await post({ type: 'customer_message', payload: { text: 'hi' } }, other);
    expect(theirs).toMatchObject({ status: 404, body: { code: 'E_NOT_FOUND' } });
    expect(
      (await post({ type: 'customer_message', payload: { text: 'hi' } }, { token: undefined } as never)).status,
    ).toBe(401);

    // A request that expired: the decision is refused as on the socket (nothing stored).
    await e.expectAck('request_command', { command: 'ls', reason: '' });
    const { requestId } = (
      await e.waitFor((f) => f.type === 'request_command' && (f.payload as { command?: string }).command === 'ls')
    ).payload as { requestId: string };
    clock.advance((server.ctx.config.requestTtlSeconds + 1) * 1000);
    await tick(server);
    const expired = await post({ type: 'approve_command', payload: { requestId, approved: true } });
    expect(expired.status).toBe(410);
    expect(expired.body.code).toBe('E_REQUEST_EXPIRED');

    // An ended task.
    await post({ type: 'end_session', payload: { reason: 'done' } });
    const after = await post({ type: 'customer_message', payload: { text: 'still there?' } });
    expect(after).toMatchObject({ status: 409, body: { code: 'E_CONFLICT' } });
  });
});

async function headOf(server: TestServer, taskId: string): Promise<number> {
  const head = await server.ctx.storage.db
    .selectFrom('tasks')
    .select('last_seq')
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  return Number(head.last_seq);
}

/**
 * The agent's first read: it records the customer's arrival (an event of its own, agentPresence.ts).
 * Returns the head after it, from which a wait sees only what comes next.
 */
async function agentArrived(server: TestServer, customer: Party, taskId: string): Promise<number> {
  await api(server.baseUrl, customer, 'GET', `/v1/tasks/${taskId}/events`);
  return headOf(server, taskId);
}

/**
 * The engineer claims the agent-driven task and opens their socket on `engineerServer`, and the
 * agent makes its first read. Returns the engineer's session and the head once the first minute's
 * `billing_update` (charged at once with both sides present) is stored.
 */
async function engineerJoinsAgentTask(
  server: TestServer,
  customer: Party,
  engineer: Party,
  taskId: string,
  engineerServer: TestServer = server,
): Promise<{ e: TestSession; head: number }> {
  await claim(engineerServer.baseUrl, engineer, taskId);
  const e = await openSession({ baseUrl: engineerServer.baseUrl, taskId, token: engineer.token });
  await eventStored(server, taskId, 'engineer_connected');
  await agentArrived(server, customer, taskId);
  await eventStored(server, taskId, 'billing_update');
  return { e, head: await headOf(server, taskId) };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

/**
 * A long-poll of the task's events whose caller goes away while the server waits on it: the wait,
 * its timer and its bus subscription are freed, and the server still answers.
 */
async function expectAbandonedWaitFreed(server: TestServer, customer: Party, taskId: string, head: number) {
  const waits = liveRuntime(server.ctx).waits;
  const bus = server.ctx.bus;
  const subscribe = bus.subscribe;
  let live = 0;
  bus.subscribe = (id, onSeq) => {
    live++;
    const off = subscribe.call(bus, id, onSeq);
    return () => {
      live--;
      off();
    };
  };
  try {
    const gone = new AbortController();
    const call = fetch(`${server.baseUrl}/v1/tasks/${taskId}/events?after=${head}&wait=50`, {
      headers: { authorization: `Bearer ${customer.token}` },
      signal: gone.signal,
    }).catch((err: Error) => err.name);
    await until(() => waits.size === 1);
    expect(live).toBe(1);
    gone.abort();
    expect(await call).toBe('AbortError');
    await until(() => waits.size === 0);
    expect(live).toBe(0);
    // The server still answers (and, see the report, a close right after the abort was seen to hang on PostgreSQL).
    expect((await api(server.baseUrl, customer, 'GET', `/v1/tasks/${taskId}`)).status).toBe(200);
  } finally {
    bus.subscribe = subscribe;
  }
}

/** Two instances on PostgreSQL + Redis: the wait on one is woken by an event written on the other. */
describe('agent API long-poll across instances (PostgreSQL + Redis)', () => {
  let a: TestServer;
  let b: TestServer;
  let customer: Party;
  let engineer: Party;
  let e: TestSession | undefined;

  beforeAll(async () => {
    a = await startTestServer({ dialect: 'postgres', redis: true });
    b = await startTestServer({ dialect: 'postgres', redis: true, pgSchema: a.pgSchema });
    customer = await party(a, 'customer', 100);
    engineer = await party(a, 'engineer', 0);
  });
  afterAll(async () => {
    await e?.close();
    await b?.close();
    await a?.close();
  });

  it('wakes a wait on instance A for an engineer message relayed by instance B', async () => {
    const task = await createTask(a.baseUrl, customer, { mode: 'human', driver: 'agent' });
    const joined = await engineerJoinsAgentTask(a, customer, engineer, task.id, b);
    e = joined.e;
    const head = joined.head;
    const t0 = Date.now();
    const polled = api(a.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events?after=${head}&wait=40`);
    for (let i = 0; i < 500 && liveRuntime(a.ctx).waits.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await e.expectAck('engineer_message', { text: 'from B' });
    const got = await polled;
    // Well under the resync's 5 s and the wait's 40 s: the bus woke it.
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(got.body.events.map((ev: { type: string }) => ev.type)).toContain('engineer_message');
    expect(liveRuntime(a.ctx).waits.size).toBe(0);
  });

  it('gives up the Redis subscription of a wait whose caller went away', async () => {
    const task = await createTask(a.baseUrl, customer, { mode: 'human', driver: 'agent' });
    const head = await agentArrived(a, customer, task.id);
    await expectAbandonedWaitFreed(a, customer, task.id, head);
  });
});

describe('tasks created for an agent, and the task list (SQLite)', () => {
  let server: TestServer;
  let customer: Party;
  const clock = new FakeClock('2026-03-01T09:00:00.000Z');
  const url = () => server.baseUrl;

  beforeAll(async () => {
    server = await startTestServer({
      clock,
      config: { maxQueuedTasksPerCustomer: 100, accessTokenTtlSeconds: 86_400 },
    });
    customer = await party(server, 'customer', 500);
  });
  afterAll(async () => server?.close());

  it('stores who drives a task, answers a queued one with its slot, and refuses an unknown driver', async () => {
    const agent = await createTask(url(), customer, { mode: 'human', driver: 'agent' });
    expect(agent).toMatchObject({ driver: 'agent', status: 'queued' });
    expect(agent.queuePosition).toBeGreaterThanOrEqual(1);
    expect(agent.estimatedWaitSeconds).toBeGreaterThan(0);
    expect((await api(url(), customer, 'GET', `/v1/tasks/${agent.id}`)).body.driver).toBe('agent');
    expect((await createTask(url(), customer, { mode: 'human' })).driver).toBe('terminal');
    const bad = await api(url(), customer, 'POST', '/v1/tasks', { description: 'x', driver: 'robot' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'E_VALIDATION', errors: [{ path: 'driver' }] });
  });

  it('lists by status and project, newest first, at most `limit`, with what a history shows', async () => {
    const me = await party(server, 'customer', 500);
    const project = (await api(url(), me, 'POST', '/v1/projects', { name: 'p', type: 'node' })).body.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000); // newest first: one creation time each
      ids.push((await createTask(url(), me, { mode: 'human', driver: 'agent', projectId: project })).id);
    }
    const elsewhere = await createTask(url(), me, { mode: 'human' });
    await api(url(), me, 'POST', `/v1/tasks/${ids[0]}/end`, {});

    const list = async (query: string) => (await api(url(), me, 'GET', `/v1/tasks${query}`)).body.tasks as Task[];
    expect((await list(`?projectId=${project}`)).map((t) => t.id)).toEqual([...ids].reverse());
    expect((await list('')).map((t) => t.id)).toContain(elsewhere.id);
    expect((await list(`?projectId=${project}&limit=2`)).map((t) => t.id)).toEqual([ids[3], ids[2]]);
    expect((await list(`?projectId=${project}&status=ended`)).map((t) => t.id)).toEqual([ids[0]]);
    const queued = await list(`?projectId=${project}&status=queued`);
    expect(queued).toHaveLength(3);
    for (const t of queued) {
      expect(t).toMatchObject({ driver: 'agent', mode: 'human', engineer: null, creditsUsed: 0, rating: null });
      expect(t.queuePosition).toBeGreaterThanOrEqual(1);
      expect(t).toHaveProperty('billedMinutes', 0);
      expect(t).toHaveProperty('durationSeconds', null);
    }
    // Another customer's project lists nothing of mine.
    expect(
      await (async () => (await api(url(), customer, 'GET', `/v1/tasks?projectId=${project}`)).body.tasks)(),
    ).toEqual([]);
  });

  it('refuses a bad limit or status next to the good ones', async () => {
    for (const query of ['limit=0', 'limit=201', 'limit=1.5', 'limit=many', 'status=open']) {
      const r = await api(url(), customer, 'GET', `/v1/tasks?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.code, query).toBe('E_VALIDATION');
    }
    for (const query of ['limit=1', 'limit=200', 'status=queued'])
      expect((await api(url(), customer, 'GET', `/v1/tasks?${query}`)).status, query).toBe(200);
  });
});
