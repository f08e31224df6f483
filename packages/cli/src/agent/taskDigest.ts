import {
  type EngineerRequest,
  foldEvents,
  initialSessionView,
  type PersistedEvent,
  type SessionView,
} from '@codevf/protocol/shared';

/**
 * What `codevf messages` and the MCP `check_messages` tool answer: the task's events after a
 * seq as a stable list for an agent, with every engineer request's state taken from the shared
 * session fold (the same request lifecycle the live session and the console use).
 */

/** An engineer's request as an agent sees it: what to consider, and whether it is still open. */
export interface RequestDigest {
  requestId: string;
  kind: 'command' | 'file';
  /** The exact command (kind `command`) — show it to the user before anything runs. */
  command?: string;
  /** The path asked for (kind `file`). */
  path?: string;
  reason: string;
  /** pending: waiting for share-output/share-file/decline; the rest are final or in progress. */
  state: EngineerRequest['state'];
  expiresAt: string | null;
  /** Why it was declined, when the decline said (`codevf decline --reason`). */
  declineReason?: string;
}

export type DigestEvent =
  | { seq: number; at: string; type: 'message'; from: 'engineer' | 'customer' | 'guide'; name?: string; text: string }
  | ({ seq: number; at: string; type: 'request' } & RequestDigest)
  | { seq: number; at: string; type: 'notice'; text: string }
  | {
      seq: number;
      at: string;
      type: 'status';
      status: 'queued' | 'active' | 'ended';
      queuePosition?: number;
      estimatedWaitSeconds?: number;
    }
  | {
      seq: number;
      at: string;
      type: 'billing';
      creditsUsed: number;
      minutes: number;
      balance: number;
      warning?: string;
    }
  | { seq: number; at: string; type: 'screenshare'; url: string };

export interface TaskDigest {
  taskId: string;
  status: SessionView['status'];
  engineer: { name: string; kind: 'human' | 'ai' } | null;
  events: DigestEvent[];
  /** Requests waiting for an answer now (whatever seq they came at). */
  pendingRequests: RequestDigest[];
  ended: { endedBy: string; reason?: string } | null;
  /** Pass as `--after` (MCP: `after`) next time. */
  nextAfter: number;
}

export function digestRequest(r: EngineerRequest): RequestDigest {
  return {
    requestId: r.requestId,
    kind: r.kind,
    ...(r.kind === 'command' ? { command: r.command } : { path: r.path }),
    reason: r.reason,
    state: r.state,
    expiresAt: r.expiresAt,
    ...(r.declineReason ? { declineReason: r.declineReason } : {}),
  };
}

/** Folds every event of the task and lists those after `after`. */
export function digestTask(taskId: string, all: readonly PersistedEvent[], after: number): TaskDigest {
  const view = foldEvents(initialSessionView(), all);
  const events: DigestEvent[] = [];
  for (const item of view.items) {
    if (item.seq <= after) continue;
    const { seq, at } = item;
    if (item.kind === 'message') {
      events.push({
        seq,
        at,
        type: 'message',
        from: item.from,
        ...(item.speaker ? { name: item.speaker.name } : {}),
        text: item.text,
      });
    } else if (item.kind === 'request') {
      const r = view.requests[item.requestId];
      if (r) events.push({ seq, at, type: 'request', ...digestRequest(r) });
    } else if (item.kind === 'screenshare') {
      events.push({ seq, at, type: 'screenshare', url: item.url });
    } else {
      events.push({ seq, at, type: 'notice', text: item.text });
    }
  }
  // Status and billing are state, not timeline items: listed from their own events.
  for (const e of all) {
    if (e.seq <= after) continue;
    if (e.type === 'task_status') {
      const p = e.payload;
      events.push({
        seq: e.seq,
        at: e.timestamp,
        type: 'status',
        status: p.status,
        ...(p.queuePosition !== undefined ? { queuePosition: p.queuePosition } : {}),
        ...(p.estimatedWaitSeconds !== undefined ? { estimatedWaitSeconds: p.estimatedWaitSeconds } : {}),
      });
    } else if (e.type === 'billing_update') {
      const p = e.payload;
      events.push({
        seq: e.seq,
        at: e.timestamp,
        type: 'billing',
        creditsUsed: p.creditsUsed,
        minutes: p.minutes,
        balance: p.balance,
        ...(p.warning ? { warning: p.warning } : {}),
      });
    }
  }
  events.sort((a, b) => a.seq - b.seq);
  const lastSeq = all.reduce((max, e) => Math.max(max, e.seq), after);
  return {
    taskId,
    status: view.status,
    engineer: view.engineer ? { name: view.engineer.name, kind: view.engineerKind ?? 'human' } : null,
    events,
    pendingRequests: Object.values(view.requests)
      .filter((r) => r.state === 'pending')
      .map(digestRequest),
    ended: view.ended
      ? { endedBy: view.ended.endedBy, ...(view.ended.reason ? { reason: view.ended.reason } : {}) }
      : null,
    nextAfter: lastSeq,
  };
}

/** The request `requestId` of the task, folded from all its events. */
export function findRequest(all: readonly PersistedEvent[], requestId: string): EngineerRequest | undefined {
  return foldEvents(initialSessionView(), all).requests[requestId];
}
