import type { ApiClient } from '../core/api';
import { CodevfError } from '../core/errors';
import { projectIdOf } from './agentProject';
import { listTasks } from './taskApi';

/**
 * `codevf fix --resume` without an id: the one open (queued or active) task of this folder's
 * project; with several, the choice is the user's (E_VALIDATION listing them); with none, a
 * hint to start one. Outside a project, the open tasks of every project count.
 */
export async function openTaskToResume(api: ApiClient, cwd: string): Promise<string> {
  const projectId = await projectIdOf(cwd);
  const query = projectId ? { projectId } : {};
  const [queued, active] = await Promise.all([
    listTasks(api, { ...query, status: 'queued' }),
    listTasks(api, { ...query, status: 'active' }),
  ]);
  const open = [...active, ...queued].filter((t) => !projectId || t.projectId === projectId);
  const [only, ...others] = open;
  if (only && others.length === 0) return only.id;
  if (!only) {
    throw new CodevfError('E_NOT_FOUND', `No open task${projectId ? ' in this project' : ''} to resume.`, {
      hint: 'Start one with: codevf fix "<what is wrong>"',
    });
  }
  const ids = open.map((t) => `${t.id} (${t.status})`).join(', ');
  throw new CodevfError('E_VALIDATION', `Several open tasks: ${ids}. Choose one.`, {
    hint: `Run: codevf fix --resume ${only.id}`,
  });
}
