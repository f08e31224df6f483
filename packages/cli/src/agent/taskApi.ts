import type { EventsResponse, Task } from '@codevf/protocol';
import type { PersistedEvent } from '@codevf/protocol/shared';
import type { ApiClient } from '../core/api';

/**
 * The REST calls an agent-driven task makes (docs/PROTOCOL.md, "Agent-driven tasks"). A verb
 * or the MCP server holds no socket: every message goes through `POST /v1/tasks/:id/messages`,
 * which the server handles exactly like the same frame on the live WebSocket.
 */

/** A task as the list and create endpoints return it, plus the agent fields of issue 21. */
export type AgentTask = Task & { driver?: 'terminal' | 'agent' };

/** Longest long-poll the server accepts (`wait`, seconds). */
export const MAX_SERVER_WAIT_SECONDS = 55;
/** Room for the answer to travel after the server's wait ends. */
const WAIT_SLACK_MS = 15_000;
/** A page of the transcript; the server's maximum. */
const PAGE = 5_000;

const path = (taskId: string) => `/v1/tasks/${encodeURIComponent(taskId)}`;

export function createTask(
  api: ApiClient,
  body: { description: string; mode?: Task['mode']; maxCredits?: number; projectId?: string },
): Promise<AgentTask> {
  return api.post<AgentTask>('/v1/tasks', { ...body, driver: 'agent' });
}

export async function listTasks(
  api: ApiClient,
  query: { status?: Task['status']; limit?: number; projectId?: string } = {},
): Promise<AgentTask[]> {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.projectId) params.set('projectId', query.projectId);
  const qs = params.toString();
  const answer = await api.get<{ tasks: AgentTask[] }>(`/v1/tasks${qs ? `?${qs}` : ''}`);
  return answer.tasks;
}

export function getTask(api: ApiClient, taskId: string): Promise<AgentTask> {
  return api.get<AgentTask>(path(taskId));
}

/** Every event of the task after `after` (all pages), without waiting. */
export async function readAllEvents(api: ApiClient, taskId: string, after = 0): Promise<PersistedEvent[]> {
  const events: PersistedEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await api.get<EventsResponse>(`${path(taskId)}/events?after=${cursor}&limit=${PAGE}`);
    events.push(...(page.events as unknown as PersistedEvent[]));
    if (!page.hasMore || page.nextAfter <= cursor) return events;
    cursor = page.nextAfter;
  }
}

/** The events after `after`, waiting up to `waitSeconds` on the server for the next one. */
export async function waitForEvents(
  api: ApiClient,
  taskId: string,
  after: number,
  waitSeconds: number,
): Promise<{ events: PersistedEvent[]; nextAfter: number }> {
  const page = await api.get<EventsResponse>(
    `${path(taskId)}/events?after=${after}&wait=${waitSeconds}&limit=${PAGE}`,
    {
      timeoutMs: waitSeconds * 1000 + WAIT_SLACK_MS,
    },
  );
  return { events: page.events as unknown as PersistedEvent[], nextAfter: page.nextAfter };
}

/** Sends one customer message on the task; answers the seq of the stored event (null when none is stored). */
export async function postMessage(
  api: ApiClient,
  taskId: string,
  type: string,
  payload: Record<string, unknown>,
): Promise<number | null> {
  const answer = await api.post<{ seq: number | null }>(`${path(taskId)}/messages`, { type, payload });
  return answer?.seq ?? null;
}

export function endTask(api: ApiClient, taskId: string, reason?: string): Promise<AgentTask> {
  return api.post<AgentTask>(`${path(taskId)}/end`, reason ? { reason } : {});
}

export function rateTask(api: ApiClient, taskId: string, rating: number, feedback?: string): Promise<unknown> {
  return api.post(`${path(taskId)}/rating`, { rating, ...(feedback ? { feedback } : {}) });
}
