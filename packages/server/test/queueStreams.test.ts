import type { Task } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../src/context';
import { type QueueClient, QueueStreams, queueFrame } from '../src/live/queueStreams';

/** The hub alone: `read` is the test's queue, counted; clients record what they are sent. */
function hub(queue: { tasks: Task[] }) {
  let reads = 0;
  let release: (() => void) | null = null;
  let hold = false;
  const read = async () => {
    reads++;
    if (hold) await new Promise<void>((r) => (release = r));
    return [...queue.tasks];
  };
  const ctx = { log: { warn: () => {} } } as unknown as AppContext;
  const streams = new QueueStreams(ctx, read);
  const client = (): QueueClient & { frames: string[] } => {
    const frames: string[] = [];
    const write = (f: string) => {
      frames.push(f);
      return true;
    };
    return { user: {} as QueueClient['user'], frames, write, end: () => {} };
  };
  return {
    streams,
    client,
    reads: () => reads,
    holdReads: (on: boolean) => (hold = on),
    release: () => release?.(),
  };
}

const task = (id: string) => ({ id }) as Task;

describe('QueueStreams', () => {
  it('collapses a burst of changes into one more read, and writes a client only what differs from its last snapshot', async () => {
    const queue = { tasks: [task('a')] };
    const h = hub(queue);
    const first = h.client();
    h.streams.add(first);
    await h.streams.settled();
    expect(first.frames).toEqual([queueFrame([task('a')])]);
    expect(h.reads()).toBe(1);

    // A second stream gets the current snapshot without a read.
    const second = h.client();
    h.streams.add(second);
    expect(second.frames).toEqual([queueFrame([task('a')])]);
    expect(h.reads()).toBe(1);

    // Fifty changes while a read is in flight: that read, then exactly one more.
    h.holdReads(true);
    queue.tasks = [task('a'), task('b')];
    h.streams.changed();
    for (let i = 0; i < 50; i++) h.streams.changed();
    h.holdReads(false);
    h.release();
    await h.streams.settled();
    expect(h.reads()).toBe(3);
    const both = queueFrame([task('a'), task('b')]);
    expect(first.frames).toEqual([queueFrame([task('a')]), both]);
    expect(second.frames).toEqual([queueFrame([task('a')]), both]);

    // A refresh that finds the same queue writes nothing.
    h.streams.refresh();
    await h.streams.settled();
    expect(first.frames).toHaveLength(2);
  });

  it('drops a client whose connection is gone', async () => {
    const h = hub({ tasks: [] });
    const dead: QueueClient = { user: {} as QueueClient['user'], write: () => false, end: () => {} };
    h.streams.add(dead);
    await h.streams.settled();
    expect(h.streams.size).toBe(0);
  });
});
