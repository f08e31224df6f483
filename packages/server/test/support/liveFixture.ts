/**
 * Sets up the people of a live session on a test server: a customer with credits, an engineer,
 * their tokens, and helpers to create, claim and open tasks.
 */
import type { Task } from '@codevf/protocol';
import type { FakeClock } from '../../src/clock';
import { liveRuntime } from '../../src/live/liveRuntime';
import { api } from './api';
import type { TestServer, TestUser } from './testServer';
import { openSession, type TestSession } from './wsClient';

export interface Party {
  user: TestUser;
  token: string;
}

export async function party(
  server: TestServer,
  role: 'customer' | 'engineer' | 'admin',
  credits = 0,
  title?: string,
): Promise<Party> {
  const user = await server.createUser({ role, credits, title });
  return { user, token: (await server.issueTokens(user.id)).accessToken };
}

export async function createTask(baseUrl: string, customer: Party, body: Record<string, unknown> = {}): Promise<Task> {
  const res = await api<Task>(baseUrl, customer, 'POST', '/v1/tasks', {
    description: 'tests fail after upgrade',
    ...body,
  });
  if (res.status !== 201) throw new Error(`create task: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function claim(baseUrl: string, engineer: Party, taskId: string): Promise<Task> {
  const res = await api<Task>(baseUrl, engineer, 'POST', `/v1/tasks/${taskId}/claim`);
  if (res.status !== 200) throw new Error(`claim: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A claimed task with both sides connected, and both arrivals stored: the customer has received
 * its own `customer_connected` and the engineer's `engineer_connected`. The server welcomes a
 * socket before it records the arrival, so the two arrivals (written by concurrent hellos) may be
 * stored in either order; waiting for both leaves every test a settled transcript to start from.
 */
export async function liveSession(
  server: TestServer,
  customer: Party,
  engineer: Party,
  body: Record<string, unknown> = {},
  engineerServer: TestServer = server,
): Promise<{ task: Task; c: TestSession; e: TestSession }> {
  const task = await createTask(server.baseUrl, customer, body);
  await claim(engineerServer.baseUrl, engineer, task.id);
  const c = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token });
  const e = await openSession({ baseUrl: engineerServer.baseUrl, taskId: task.id, token: engineer.token });
  await Promise.all([c.waitFor('customer_connected'), c.waitFor('engineer_connected')]);
  return { task, c, e };
}

/** One deterministic round of expiry, billing and resync on a server. */
export function tick(server: TestServer): Promise<void> {
  return liveRuntime(server.ctx).tick();
}

/** Moves the clock in steps, running the background jobs at each, like the real timers would. */
export async function runFor(server: TestServer, clock: FakeClock, ms: number, step = 10_000): Promise<void> {
  for (let left = ms; left > 0; left -= step) {
    clock.advance(Math.min(step, left));
    await tick(server);
  }
}

/**
 * Waits until an event of `type` is stored for the task. Presence events are written after the
 * socket's hello or close has been answered, so a test that reads them from the database waits.
 */
export async function eventStored(server: TestServer, taskId: string, type: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    const row = await server.ctx.storage.db
      .selectFrom('task_events')
      .select('seq')
      .where('task_id', '=', taskId)
      .where('type', '=', type)
      .executeTakeFirst();
    if (row) return;
    if (tries > 500) throw new Error(`${type} was never stored`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The engineer leaves, then the customer, and both departures are stored: the customer's is
 * written after their last socket closes, so a test that reads the whole transcript waits for it.
 */
export async function bothLeave(server: TestServer, taskId: string, c: TestSession, e: TestSession): Promise<void> {
  await e.close();
  await c.waitFor('engineer_disconnected');
  await c.close();
  await eventStored(server, taskId, 'customer_disconnected');
}

/** The task's charged minute indices, from the customer's ledger. */
export async function chargedMinutes(server: TestServer, customer: Party, taskId: string): Promise<number[]> {
  const ledger = (await api(server.baseUrl, customer, 'GET', '/v1/credits')).body.ledger as {
    kind: string;
    taskId: string | null;
    minuteIndex: number | null;
  }[];
  return ledger
    .filter((r) => r.kind === 'charge' && r.taskId === taskId)
    .map((r) => r.minuteIndex as number)
    .sort((a, b) => a - b);
}
