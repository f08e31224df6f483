import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseLease, renewLease, takeLease, unleasedAiTasks } from '../src/ai/aiLease';
import { AI_USER_ID } from '../src/ai/aiUser';
import { liveRuntime } from '../src/live/liveRuntime';
import { aiSettings } from './support/aiSettings';
import { type AiWorld, nextEvent, say, startAiWorld } from './support/aiWorld';
import { createTask, type Party, party } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';

describe('the AI lease (SQLite)', () => {
  let server: TestServer;
  let customer: Party;
  beforeAll(async () => {
    // The AI is offered but no instance drives it: the test plays the instances.
    server = await startTestServer({ config: { ai: aiSettings() } });
    customer = await party(server, 'customer', 100);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lets one instance at a time hold a task, until its lease lapses or it lets go', async () => {
    const db = server.ctx.storage.db;
    const task = await createTask(server.baseUrl, customer, { mode: 'ai' });
    const t0 = new Date();
    const a = { instanceId: 'instance-a', now: t0, leaseSeconds: 15 };
    const b = { instanceId: 'instance-b', now: t0, leaseSeconds: 15 };
    expect(await unleasedAiTasks(db, AI_USER_ID, t0, 10)).toContain(task.id);

    const [gotA, gotB] = await Promise.all([takeLease(db, task.id, a), takeLease(db, task.id, b)]);
    expect([gotA, gotB].filter(Boolean)).toHaveLength(1);
    const [holder, other] = gotA ? [a, b] : [b, a];
    expect(await unleasedAiTasks(db, AI_USER_ID, t0, 10)).not.toContain(task.id);
    expect(await renewLease(db, task.id, holder)).toBe(true);
    expect(await renewLease(db, task.id, other)).toBe(false);
    expect(await takeLease(db, task.id, { ...other, now: new Date(t0.getTime() + 10_000) })).toBe(false);

    // Not renewed for its length: anyone may take it, and the old holder can no longer renew.
    const later = new Date(t0.getTime() + 16_000);
    expect(await unleasedAiTasks(db, AI_USER_ID, later, 10)).toContain(task.id);
    expect(await takeLease(db, task.id, { ...other, now: later })).toBe(true);
    expect(await renewLease(db, task.id, { ...holder, now: later })).toBe(false);

    // Released: free at once; a release by a non-holder changes nothing.
    await releaseLease(db, task.id, holder.instanceId);
    expect(await unleasedAiTasks(db, AI_USER_ID, later, 10)).not.toContain(task.id);
    await releaseLease(db, task.id, other.instanceId);
    expect(await unleasedAiTasks(db, AI_USER_ID, later, 10)).toContain(task.id);
  });

  it('offers no lease on a task the AI no longer leads', async () => {
    const db = server.ctx.storage.db;
    const task = await createTask(server.baseUrl, customer, { mode: 'hybrid' });
    await db
      .updateTable('task_ai')
      .set({ ended_at: new Date().toISOString() })
      .where('task_id', '=', task.id)
      .execute();
    expect(await unleasedAiTasks(db, AI_USER_ID, new Date(), 50)).not.toContain(task.id);
    expect(await takeLease(db, task.id, { instanceId: 'x', now: new Date(), leaseSeconds: 15 })).toBe(false);
  });
});

describe('an instance that lost its lease', () => {
  let world: AiWorld;
  beforeAll(async () => {
    world = await startAiWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('stops driving the task without calling the model or acting', async () => {
    const { server, model } = world;
    model.push(say('Hi! What is wrong?'));
    const { task, c } = await world.aiTask();
    const hello = await nextEvent(c, 'engineer_message');
    const driver = liveRuntime(server.ctx).ai;
    expect(driver.driving()).toContain(task.id);

    // Another instance holds it now (this one stalled past its lease, say).
    const until = new Date(Date.now() + 60_000).toISOString();
    await server.ctx.storage.db
      .updateTable('task_ai')
      .set({ lease_instance: 'someone-else', lease_expires_at: until })
      .where('task_id', '=', task.id)
      .execute();
    await c.expectAck('customer_message', { text: 'The build fails.' });
    for (let i = 0; i < 100 && driver.driving().includes(task.id); i++) await new Promise((r) => setTimeout(r, 20));
    expect(driver.driving()).not.toContain(task.id);
    expect(model.requests).toHaveLength(1);
    expect(c.events.filter((f) => f.type === 'engineer_message' && (f.seq ?? 0) > (hello.seq ?? 0))).toEqual([]);
    const row = await server.ctx.storage.db
      .selectFrom('task_ai')
      .select(['lease_instance'])
      .where('task_id', '=', task.id)
      .executeTakeFirstOrThrow();
    expect(row.lease_instance).toBe('someone-else');
  });
});
