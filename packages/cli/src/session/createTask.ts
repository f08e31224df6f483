import type { Task } from '@codevf/protocol';
import type { ApiClient } from '../core/api';

export interface NewTask {
  description?: string;
  mode?: Task['mode'];
  projectId?: string;
  /** The most the task may cost (`--max-credits`); the server ends the session there. */
  maxCredits?: number;
}

/**
 * POST /v1/tasks: the new task as the server made it (an AI may already be on it).
 * `onSent` is called once the request has left this machine.
 */
export function createTask(api: ApiClient, task: NewTask, options: { onSent?: () => void } = {}): Promise<Task> {
  return api.post<Task>(
    '/v1/tasks',
    {
      description: task.description,
      ...(task.mode ? { mode: task.mode } : {}),
      ...(task.projectId ? { projectId: task.projectId } : {}),
      ...(task.maxCredits ? { maxCredits: task.maxCredits } : {}),
    },
    { onSent: options.onSent },
  );
}
