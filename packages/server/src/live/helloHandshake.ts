import {
  CLOSE_CODES,
  type ErrorCode,
  type Frame,
  PROTOCOL_VERSION,
  parseClientPayload,
  type TaskStatus,
} from '@codevf/protocol';
import { firstIssue } from '../http/validate';
import type { LiveRuntime } from './liveRuntime';
import type { FeedListener, TaskFeed } from './taskFeed';

/** What the handshake needs of the connection that said hello. */
export interface Greeted extends FeedListener {
  readonly taskId: string;
  readonly isClosed: boolean;
  sendError(code: ErrorCode, message: string, id?: string): void;
  shutdown(code: number, reason: string): void;
}

/** A hello let in: the task's feed (held for the connection), its state and head, and where the client is. */
export interface Admission {
  feed: TaskFeed;
  status: TaskStatus;
  head: number;
  lastSeq: number;
}

/**
 * Checks a hello — its payload, the protocol version, and that `lastSeq` is within the task's
 * log — and takes the task's feed for the connection. Null when the hello was refused: the
 * connection has been answered (and, for a version it cannot speak or a missing task, closed),
 * and no feed is held.
 */
export async function admitHello(runtime: LiveRuntime, conn: Greeted, frame: Frame): Promise<Admission | null> {
  const parsed = parseClientPayload('hello', frame.payload);
  if (!parsed.success) {
    conn.sendError('E_VALIDATION', `hello: ${firstIssue(parsed.error, '(frame)')}`, frame.id);
    return null;
  }
  const { protocolVersion, lastSeq } = parsed.data;
  if (protocolVersion !== PROTOCOL_VERSION) {
    conn.sendError(
      'E_PROTOCOL_VERSION',
      `This server speaks protocol version ${PROTOCOL_VERSION}; the client sent ${protocolVersion}. Update the CodeVF CLI.`,
      frame.id,
    );
    conn.shutdown(CLOSE_CODES.protocolVersion, 'unsupported protocol version');
    return null;
  }
  // The feed before the head: once subscribed, no event can fall between the head read and the bus.
  const feed = await runtime.feeds.acquire(conn.taskId, conn);
  let task: { status: TaskStatus; last_seq: number } | undefined;
  try {
    task = await runtime.ctx.storage.db
      .selectFrom('tasks')
      .select(['status', 'last_seq'])
      .where('id', '=', conn.taskId)
      .executeTakeFirst();
  } finally {
    // Hand the feed back unless the connection is still open and will be welcomed.
    if (conn.isClosed || !task || lastSeq > Number(task.last_seq)) runtime.feeds.release(feed, conn);
  }
  if (conn.isClosed) return null;
  if (!task) {
    conn.sendError('E_NOT_FOUND', 'No such task.');
    conn.shutdown(CLOSE_CODES.policy, 'no such task');
    return null;
  }
  const head = Number(task.last_seq);
  if (lastSeq > head) {
    conn.sendError('E_VALIDATION', `lastSeq ${lastSeq} is ahead of this task's log (${head} events).`, frame.id);
    return null;
  }
  return { feed, status: task.status, head, lastSeq };
}
