import type { Task } from '@codevf/protocol';
import { showUntrusted } from '@codevf/protocol/shared';
import type { AgentTask } from '../agent/taskApi';
import type { ApiClient } from '../core/api';
import { defineCommand } from '../core/command';
import { usage } from '../core/parse';
import { parseWholeNumber } from '../core/parseNumber';

const STATUSES: readonly Task['status'][] = ['queued', 'active', 'ended'];

export interface TasksOptions {
  api: ApiClient;
  status?: Task['status'];
  limit?: number;
  projectId?: string;
}

/** One row of `codevf tasks`. */
export interface TaskRow {
  id: string;
  description: string;
  mode: Task['mode'];
  status: Task['status'];
  driver: 'terminal' | 'agent';
  engineer: string | null;
  durationSeconds: number | null;
  creditsUsed: number;
  rating: number | null;
  createdAt: string;
  projectId: string | null;
}

export function taskRow(t: AgentTask): TaskRow {
  return {
    id: t.id,
    description: t.description,
    mode: t.mode,
    status: t.status,
    driver: t.driver ?? 'terminal',
    engineer: t.engineer?.name ?? null,
    durationSeconds: t.durationSeconds ?? null,
    creditsUsed: t.creditsUsed,
    rating: t.rating,
    createdAt: t.createdAt,
    projectId: t.projectId,
  };
}

export async function run(options: TasksOptions): Promise<{ tasks: TaskRow[] }> {
  const { listTasks } = await import('../agent/taskApi');
  const tasks = await listTasks(options.api, options);
  // Newest first, and no more than asked for even from a server that ignores `limit`.
  const rows = tasks.map(taskRow).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { tasks: options.limit ? rows.slice(0, options.limit) : rows };
}

export function parseStatus(raw: string | undefined): Task['status'] | undefined {
  if (raw === undefined) return undefined;
  const status = raw.trim().toLowerCase();
  if ((STATUSES as readonly string[]).includes(status)) return status as Task['status'];
  throw usage('tasks', `--status must be one of ${STATUSES.join(', ')}; got ${JSON.stringify(raw)}.`);
}

export default defineCommand({
  description:
    'Lists your tasks, newest first: id, description, mode, status, who helped, duration, credits and ' +
    'rating. Agent-driven tasks (codevf ask, codevf mcp) are marked as such.',
  flags: {
    status: { type: 'string', valueName: 'queued|active|ended', description: 'Only tasks with this status' },
    limit: { type: 'string', valueName: 'N', description: 'At most N tasks (1–200; default 50)' },
  },
  json: true,
  examples: ['codevf tasks', 'codevf tasks --status active --json'],

  async handler(parsed, ctx) {
    const status = parseStatus(parsed.flags.status);
    const limit = parseWholeNumber('--limit', parsed.flags.limit, { min: 1, max: 200 });
    return run({ api: await ctx.api(), status, limit });
  },

  human({ tasks }, { io }) {
    if (tasks.length === 0) {
      io.err('No tasks yet. Start one with: codevf fix, or codevf ask "<question>"\n');
      return;
    }
    for (const t of tasks) {
      const who = t.engineer ? ` · ${showUntrusted(t.engineer)}` : '';
      const minutes = t.durationSeconds !== null ? ` · ${Math.ceil(t.durationSeconds / 60)} min` : '';
      const rating = t.rating !== null ? ` · rated ${t.rating}/5` : '';
      const agent = t.driver === 'agent' ? ' · agent' : '';
      io.out(
        `${io.style('bold', t.id)}  ${t.status} · ${t.mode}${agent}${who}${minutes} · ${t.creditsUsed} credits${rating}\n`,
      );
      io.out(`  ${showUntrusted(t.description).slice(0, 100)}\n`);
    }
  },
});
