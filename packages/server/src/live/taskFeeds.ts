import type { AppContext } from '../context';
import type { StoredEvent } from '../tasks/eventLog';
import { type FeedListener, TaskFeed } from './taskFeed';
import { yieldToIo } from './yieldToIo';

/** Task heads re-read per query by the resync. */
const RESYNC_CHUNK = 100;

/** The feeds of the tasks this instance's sockets watch: one per task, subscribed to the bus while watched. */
export class TaskFeeds {
  private readonly byTask = new Map<string, TaskFeed>();

  constructor(private readonly ctx: Pick<AppContext, 'bus' | 'storage'>) {}

  /** The feed of a task, created (and subscribed to the bus) on first use. */
  async acquire(taskId: string, listener: FeedListener): Promise<TaskFeed> {
    let feed = this.byTask.get(taskId);
    if (!feed) {
      feed = new TaskFeed(taskId, this.ctx.storage.db);
      const f = feed;
      feed.unsubscribe = this.ctx.bus.subscribe(taskId, (seq) => f.notify(seq));
      this.byTask.set(taskId, feed);
    }
    feed.listeners.add(listener);
    // Only once the subscription is live may the caller read the head: then no event can fall
    // between what it reads and what the bus reports.
    await this.ctx.bus.subscribed(taskId);
    return feed;
  }

  release(feed: TaskFeed, listener: FeedListener): void {
    feed.listeners.delete(listener);
    if (feed.listeners.size === 0 && this.byTask.get(feed.taskId) === feed) {
      feed.unsubscribe();
      this.byTask.delete(feed.taskId);
    }
  }

  /** Events committed on this instance, for the task's sockets here. */
  ingest(taskId: string, events: readonly StoredEvent[]): void {
    this.byTask.get(taskId)?.ingest(events);
  }

  /** Re-reads the head of every watched task: the safety net for lost bus messages. */
  async resync(): Promise<void> {
    const ids = [...this.byTask.keys()];
    for (let i = 0; i < ids.length; i += RESYNC_CHUNK) {
      // Socket I/O in between: one query for every watched task would stall live messages.
      if (i > 0) await yieldToIo();
      const rows = await this.ctx.storage.db
        .selectFrom('tasks')
        .select(['id', 'last_seq'])
        .where('id', 'in', ids.slice(i, i + RESYNC_CHUNK))
        .execute();
      for (const r of rows) {
        const feed = this.byTask.get(r.id);
        if (feed && Number(r.last_seq) !== feed.latest) feed.resync(Number(r.last_seq));
      }
    }
  }
}
