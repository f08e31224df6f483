import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bus } from '../src/bus/bus';
import { createBus } from '../src/bus/createBus';
import { createMemoryBus } from '../src/bus/memoryBus';
import { createRedisBus } from '../src/bus/redisBus';
import { withTaskLock } from '../src/tasks/taskTransaction';
import { liveSession, party } from './support/liveFixture';
import { REDIS_URL, startTestServer, type TestServer } from './support/testServer';

/** Collects what a subscriber hears and lets the test wait for a count. */
function listener() {
  const got: number[] = [];
  const waiters: (() => void)[] = [];
  return {
    got,
    fn: (seq: number) => {
      got.push(seq);
      for (const w of waiters.splice(0)) w();
    },
    async waitFor(n: number) {
      const deadline = Date.now() + 5_000;
      while (got.length < n) {
        if (Date.now() > deadline) throw new Error(`heard ${got.join(',')} — expected ${n} messages`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
  };
}

describe('memory bus', () => {
  it('delivers to subscribers of the task until they unsubscribe, even when one listener throws', async () => {
    const bus = createMemoryBus();
    const a = listener();
    const other = listener();
    bus.subscribe('t1', () => {
      throw new Error('boom');
    });
    const unsubscribe = bus.subscribe('t1', a.fn);
    bus.subscribe('t2', other.fn);
    await bus.subscribed('t1');
    await bus.publish('t1', 1);
    await bus.publish('t1', 2);
    unsubscribe();
    unsubscribe();
    await bus.publish('t1', 3);
    expect(a.got).toEqual([1, 2]);
    expect(other.got).toEqual([]);
    await bus.ping();
    await bus.close();
  });

  it('tells every access listener of the instance about an access change', () => {
    const bus = createMemoryBus();
    const heard: string[] = [];
    bus.subscribeAccessChanges(() => {
      throw new Error('boom');
    });
    const stop = bus.subscribeAccessChanges((userId) => heard.push(userId));
    bus.publishAccessChange('user-1');
    stop();
    bus.publishAccessChange('user-2');
    expect(heard).toEqual(['user-1']);
  });

  it('tells every queue listener of the instance that the queue changed', async () => {
    const bus = createMemoryBus();
    let heard = 0;
    bus.subscribeQueueChanges(() => {
      throw new Error('boom');
    });
    const stop = bus.subscribeQueueChanges(() => heard++);
    await bus.queueSubscribed();
    bus.publishQueueChange();
    stop();
    bus.publishQueueChange();
    expect(heard).toBe(1);
  });

  it('is what createBus gives without REDIS_URL', async () => {
    const bus = createBus({ redisUrl: undefined });
    expect(bus.kind).toBe('memory');
    await bus.close();
  });
});

describe('redis bus', () => {
  const buses: Bus[] = [];
  const raw = new Redis(REDIS_URL);
  const prefix = `codevf-test:${randomBytes(4).toString('hex')}:`;
  const make = (p = prefix) => {
    const b = createRedisBus(REDIS_URL, { prefix: p });
    buses.push(b);
    return b;
  };
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await raw.quit();
  });

  it('carries "task X is at seq N" between two instances, and only for subscribed tasks', async () => {
    const a = make();
    const b = make();
    const onB = listener();
    const onA = listener();
    const otherTask = listener();
    b.subscribe('task-1', onB.fn);
    a.subscribe('task-1', onA.fn);
    b.subscribe('task-2', otherTask.fn);
    await Promise.all([a.subscribed('task-1'), b.subscribed('task-1'), b.subscribed('task-2')]);
    await a.publish('task-1', 7);
    await a.publish('task-1', 8);
    await onB.waitFor(2);
    await onA.waitFor(2);
    expect(onB.got).toEqual([7, 8]);
    expect(onA.got).toEqual([7, 8]);
    expect(otherTask.got).toEqual([]);
  });

  it('carries "access of user X changed" to every instance of the deployment, not to others', async () => {
    const accessChannel = `${prefix}access`;
    const a = createRedisBus(REDIS_URL, { prefix, accessChannel });
    const b = createRedisBus(REDIS_URL, { prefix, accessChannel });
    const foreign = createRedisBus(REDIS_URL, { prefix, accessChannel: `${prefix}other-access` });
    buses.push(a, b, foreign);
    const heard: string[] = [];
    const heardElsewhere: string[] = [];
    b.subscribeAccessChanges((userId) => heard.push(userId));
    foreign.subscribeAccessChanges((userId) => heardElsewhere.push(userId));
    // The subscription is made in the background: announce until it is live.
    const deadline = Date.now() + 5_000;
    while (heard.length === 0 && Date.now() < deadline) {
      await a.publishAccessChange('user-1');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(heard[0]).toBe('user-1');
    expect(heardElsewhere).toEqual([]);
  });

  it('carries "the queue changed" to every instance of the deployment, not to others', async () => {
    const queueChannel = `${prefix}queue`;
    const a = createRedisBus(REDIS_URL, { prefix, queueChannel });
    const b = createRedisBus(REDIS_URL, { prefix, queueChannel });
    const foreign = createRedisBus(REDIS_URL, { prefix, queueChannel: `${prefix}other-queue` });
    buses.push(a, b, foreign);
    const heard = listener();
    let heardElsewhere = 0;
    b.subscribeQueueChanges(() => heard.fn(1));
    foreign.subscribeQueueChanges(() => heardElsewhere++);
    await Promise.all([b.queueSubscribed(), foreign.queueSubscribed()]);
    await a.publishQueueChange();
    await heard.waitFor(1);
    expect(heardElsewhere).toBe(0);
  });

  it('ignores junk on its channels and traffic of other deployments', async () => {
    const a = make();
    const foreign = make(`${prefix}other:`);
    const heard = listener();
    const foreignHeard = listener();
    a.subscribe('task-3', heard.fn);
    foreign.subscribe('task-3', foreignHeard.fn);
    await Promise.all([a.subscribed('task-3'), foreign.subscribed('task-3')]);
    for (const junk of ['abc', '-1', '0', '1.5', '', '9007199254740993']) await raw.publish(`${prefix}task-3`, junk);
    await a.publish('task-3', 4);
    await heard.waitFor(1);
    expect(heard.got).toEqual([4]);
    expect(foreignHeard.got).toEqual([]);
  });

  it('stops delivering after unsubscribe and close; ping reports reachability', async () => {
    const a = make();
    const b = make();
    const heard = listener();
    const off = b.subscribe('task-4', heard.fn);
    await b.subscribed('task-4');
    await a.publish('task-4', 1);
    await heard.waitFor(1);
    off();
    await a.publish('task-4', 2);
    // A message that is still delivered would arrive before this round trip completes.
    await b.ping();
    await a.ping();
    await new Promise((r) => setTimeout(r, 50));
    expect(heard.got).toEqual([1]);
    await b.close();
    await b.close();
    await expect(b.publish('task-4', 3)).resolves.toBeUndefined();

    const unreachable = createRedisBus('redis://127.0.0.1:1', { prefix });
    await expect(unreachable.ping()).rejects.toThrow();
    await unreachable.close();
  });

  it('is what createBus gives with REDIS_URL', async () => {
    const bus = createBus({ redisUrl: REDIS_URL });
    buses.push(bus);
    expect(bus.kind).toBe('redis');
    await bus.ping();
  });
});

describe('a lost bus message', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers.reverse()) await s.close();
  });

  it('delays nothing beyond the next message, because subscribers read from the database', async () => {
    const a = await startTestServer({ dialect: 'postgres', redis: true });
    servers.push(a);
    const b = await startTestServer({ dialect: 'postgres', redis: true, pgSchema: a.pgSchema });
    servers.push(b);
    const customer = await party(a, 'customer', 10);
    const engineer = await party(a, 'engineer');
    const { task, c, e } = await liveSession(a, customer, engineer, {}, b);
    // Committed on B without telling the bus: as if the publish had been lost.
    const lostPublish = { storage: b.ctx.storage, events: { publish() {} } };
    const silent = await withTaskLock(lostPublish, task.id, b.ctx.clock.now(), (tx) =>
      tx.append('engineer_message', { text: 'sent while the bus was down' }, { senderId: engineer.user.id }),
    );
    const next = await e.expectAck('engineer_message', { text: 'and this one made it' });
    await c.waitForSeq(next);
    // Less the per-minute charges: on a slow machine one may fall between the two.
    expect(c.relayed(silent.value.seq - 1).map((f) => [f.seq, f.payload.text])).toEqual([
      [silent.value.seq, 'sent while the bus was down'],
      [next, 'and this one made it'],
    ]);
    await Promise.all([c.close(), e.close()]);
  });
});
