/**
 * Sets up the people of a live session on a test server: a customer with credits, an engineer,
 * their tokens, and helpers to create, claim and open tasks.
 */
import type { Task } from '@codevf/protocol';
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

/**
 * Waits until the customer's departure is stored: it is written after their last socket
 * closes, so a test that reads the whole transcript waits for it to be complete.
 */
export async function customerLeft(server: TestServer, taskId: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    const gone = await server.ctx.storage.db
      .selectFrom('task_events')
      .select('seq')
      .where('task_id', '=', taskId)
      .where('type', '=', 'customer_disconnected')
      .executeTakeFirst();
    if (gone) return;
    if (tries > 200) throw new Error('customer_disconnected was never stored');
    await new Promise((r) => setTimeout(r, 10));
  }
}
