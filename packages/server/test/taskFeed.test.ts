import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../e2e/harness/server';
import { TaskFeed } from '../src/live/taskFeed';
import { withTaskLock } from '../src/tasks/taskLock';
import { createTask } from '../src/tasks/taskService';

const seqOf = (wire: string) => (JSON.parse(wire) as { seq: number }).seq;

/**
 * A task's feed on one instance: frames come from its cache when it has them and from the
 * database otherwise — always the events right after the reader's position, in order.
 */
describe('task feed', () => {
  let server: TestServer;
  let taskId: string;
  let head: number;
  beforeAll(async () => {
    server = await startTestServer({ dialect: 'sqlite' });
    const customer = await server.createUser({ role: 'customer', credits: 100 });
    const task = await createTask(server.ctx, { ...customer, title: null, credits: 100, via: 'bearer' } as never, {
      description: 'feed',
      mode: 'human',
    });
    taskId = task.id;
    // As if another instance had written a long burst (command output) this feed has not seen.
    const change = await withTaskLock(server.ctx.storage.db, taskId, server.ctx.clock.now(), async (tx) => {
      for (let i = 0; i < 1200; i++) await tx.append('customer_message', { text: `line ${i}` });
    });
    head = change.task.last_seq;
  });
  afterAll(async () => server?.close());

  it('gives a reader the events right after its position even when a long fill moved the cache past it', async () => {
    const feed = new TaskFeed(taskId, server.ctx.storage.db);
    feed.reset(0);
    // The bus says the task is far ahead: the feed fills its cache from the database, and
    // keeps only the newest events of a fill that long.
    feed.notify(head);
    const wires = await feed.readAfter(0);
    expect(wires.length).toBeGreaterThan(0);
    expect(wires.map(seqOf)).toEqual(wires.map((_, i) => i + 1));
    // The cache now serves the newest events directly; the oldest are beyond it.
    expect(feed.cachedAfter(0)).toBeUndefined();
    const newest = feed.cachedAfter(head - 3);
    expect(newest?.map(seqOf)).toEqual([head - 2, head - 1, head]);
  });

  it('says when events are committed but not cached yet, and reads them then', async () => {
    const feed = new TaskFeed(taskId, server.ctx.storage.db);
    feed.reset(head - 10);
    expect(feed.cachedAfter(head - 10)).toEqual([]);
    feed.notify(head - 10); // nothing new: no read needed
    expect(feed.cachedAfter(head - 10)).toEqual([]);
    feed.latest = head; // the head is known, the events are not cached
    expect(feed.cachedAfter(head - 10)).toBeUndefined();
    const wires = await feed.readAfter(head - 10);
    expect(wires.map(seqOf)).toEqual(Array.from({ length: 10 }, (_, i) => head - 9 + i));
  });
});
