import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { canonicalJson } from '../src/audit/hashChain';
import { type FeedListener, TaskFeed } from '../src/live/taskFeed';
import { wireOf } from '../src/live/wireFrame';
import { createTask } from '../src/tasks/taskService';
import { withTaskLock } from '../src/tasks/taskTransaction';
import { startTestServer, type TestServer } from './support/testServer';

const seqOf = (wire: Buffer) => (JSON.parse(wire.toString('utf8')) as { seq: number }).seq;

/**
 * A task's feed on one instance: frames come from its cache when it has them and from the
 * database otherwise — always the events right after the reader's position, in order.
 */
describe('task feed', () => {
  let server: TestServer;
  /** Commits that this instance's runtime is not told about: the feeds under test learn of them themselves. */
  const unpublished = () => ({ storage: server.ctx.storage, events: { publish() {} } });
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
    const change = await withTaskLock(unpublished(), taskId, server.ctx.clock.now(), async (tx) => {
      for (let i = 0; i < 1200; i++) await tx.append('customer_message', { text: `line ${i}` });
    });
    head = change.task.last_seq;
  });

  /** Stores customer messages in one transaction, as a commit on this instance does. */
  const append = async (...texts: string[]) =>
    (
      await withTaskLock(unpublished(), taskId, server.ctx.clock.now(), async (tx) => {
        for (const text of texts) await tx.append('customer_message', { text });
      })
    ).events;

  /** A listener that takes what it is woken for at once, as a socket pumping from the cache does. */
  function liveListener(feed: TaskFeed, position: number): FeedListener & { position: number } {
    const listener = {
      user: { id: 'live' },
      position,
      wake() {
        listener.position = feed.latest;
      },
    };
    return listener;
  }
  afterAll(async () => server?.close());

  it('gives a reader the events right after its position even when a long fill moved the cache past it', async () => {
    const feed = new TaskFeed(taskId, server.ctx.storage.db);
    feed.reset(0);
    // A socket replaying from the start: until it has been sent them, the feed keeps frames.
    feed.listeners.add({ user: { id: 'replaying' }, position: 0, wake() {} });
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

  it('keeps a frame only until every listener here has been sent it', async () => {
    const feed = new TaskFeed(taskId, server.ctx.storage.db);
    feed.reset(head);
    // A listener that keeps up, one that has fallen behind, and one not welcomed yet (it holds
    // nothing back).
    const live = liveListener(feed, head);
    const behind: FeedListener & { position: number } = { user: { id: 'behind' }, position: head, wake() {} };
    const arriving: FeedListener = { user: { id: 'arriving' }, position: undefined, wake() {} };
    for (const l of [live, behind, arriving]) feed.listeners.add(l);

    feed.ingest(await append('more 1', 'more 2', 'more 3'));
    expect(live.position).toBe(head + 3);
    // The listener behind still finds its three events in the cache.
    expect(feed.cachedAfter(head)?.map(seqOf)).toEqual([head + 1, head + 2, head + 3]);

    behind.position = head + 2; // it was sent two of them
    feed.ingest(await append('more 4'));
    expect(feed.cachedAfter(head + 2)?.map(seqOf)).toEqual([head + 3, head + 4]);
    // What everyone has been sent is gone from the cache; only the database has it now.
    expect(feed.cachedAfter(head + 1)).toBeUndefined();
    const wires = await feed.readAfter(head + 1);
    expect(wires.map(seqOf)).toEqual([head + 2, head + 3, head + 4]);

    // Once the last listener has caught up, nothing is kept.
    feed.listeners.delete(behind);
    feed.ingest(await append('more 5'));
    expect(feed.cachedAfter(head + 5)).toEqual([]);
    expect(feed.cachedAfter(head + 4)).toBeUndefined();
  });

  describe('resync (the head read from the database)', () => {
    it('delivers an event whose bus message was lost', async () => {
      const feed = new TaskFeed(taskId, server.ctx.storage.db);
      const [seen] = await append('seen by this feed');
      const start = seen?.seq ?? 0;
      feed.reset(start);
      let woken = 0;
      feed.listeners.add({ user: { id: 'l' }, position: start, wake: () => woken++ });
      const [lost] = await append('committed elsewhere, bus message lost');
      expect(feed.cachedAfter(start)).toEqual([]); // nothing known yet
      feed.resync(lost?.seq ?? 0);
      await vi.waitFor(() => expect(woken).toBeGreaterThan(0));
      expect((await feed.readAfter(start)).map(seqOf)).toEqual([lost?.seq]);
    });

    it('corrects a bus message that claimed events that do not exist', async () => {
      const feed = new TaskFeed(taskId, server.ctx.storage.db);
      const [ev] = await append('the real head');
      const realHead = ev?.seq ?? 0;
      feed.reset(realHead);
      feed.notify(realHead + 100);
      expect(feed.latest).toBe(realHead + 100);
      feed.resync(realHead);
      expect(feed.latest).toBe(realHead);
    });

    it('is not lowered by a read taken before a commit made here', async () => {
      const feed = new TaskFeed(taskId, server.ctx.storage.db);
      const [before] = await append('before the read');
      const staleHead = before?.seq ?? 0;
      feed.reset(staleHead);
      const live = liveListener(feed, staleHead);
      feed.listeners.add(live);
      const events = await append('committed here after the head was read');
      feed.ingest(events);
      const head = events[0]?.seq ?? 0;
      feed.resync(staleHead); // the read that raced the commit
      expect(feed.latest).toBe(head);
      expect(live.position).toBe(head);
      // Nothing to read again: the listener has everything, and the next event comes from the cache.
      feed.ingest(await append('next'));
      expect(live.position).toBe(head + 1);
    });
  });
});

describe('wireOf (the frame of a stored event)', () => {
  it('writes the same JSON as serialising the frame object, around the stored payload text', () => {
    const base = { taskId: 't1', seq: 7, timestamp: '2026-11-29T00:00:00.000Z', senderId: 'u1', hash: 'h' };
    const cases = [
      { type: 'customer_message', payload: { text: 'hi "there" \\ é 😀\n\u0001' }, clientMsgId: 'm-1_A' },
      {
        type: 'command_output',
        payload: { data: 'x'.repeat(100), requestId: 'r1', stream: 'stdout' },
        clientMsgId: null,
      },
      {
        type: 'billing_update',
        payload: { balance: 0, creditsUsed: 3, minutes: 3, ratePerMinute: 1 },
        clientMsgId: null,
      },
      {
        type: 'engineer_connected',
        payload: { engineer: { id: 'e', name: 'Ann', title: null }, kind: 'human' },
        clientMsgId: null,
      },
    ] as const;
    for (const c of cases) {
      const payloadJson = canonicalJson(c.payload);
      const wire = wireOf({ ...base, type: c.type, clientMsgId: c.clientMsgId, payloadJson });
      const expected = {
        type: c.type,
        timestamp: base.timestamp,
        payload: JSON.parse(payloadJson),
        seq: base.seq,
        ...(c.clientMsgId ? { id: c.clientMsgId } : {}),
      };
      expect(wire).toBe(JSON.stringify(expected));
    }
  });
});
