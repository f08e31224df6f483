import { showUntrusted } from '@codevf/protocol/shared';
import { sameServer } from '../core/api';
import type { CommandContext } from '../core/command';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';
import { parseMe } from '../core/parseMe';
import type { TaskRow } from './tasks';

export interface StatusResult {
  baseUrl: string;
  loggedIn: boolean;
  /** null when the server could not be asked (not logged in there, or unreachable). */
  serverReachable: boolean | null;
  user?: { name: string; email: string; role: string; credits?: number };
  /** The project of this folder (its id from .codevf/config.json), null outside one. */
  projectId: string | null;
  /** Queued and active tasks of this project (of any project outside one). */
  openTasks: TaskRow[];
}

type StatusContext = Pick<CommandContext, 'api' | 'authStore' | 'baseUrl' | 'cwd'>;

/** Logged in? Server reachable? Which server? Open tasks of this project? Never throws for "no". */
export async function run(ctx: StatusContext): Promise<StatusResult> {
  const baseUrl = await ctx.baseUrl();
  const { projectIdOf } = await import('../agent/agentProject');
  const projectId = (await projectIdOf(ctx.cwd())) ?? null;
  const stored = await ctx.authStore().read();
  const base = { baseUrl, projectId, openTasks: [] as TaskRow[] };
  if (!stored || !sameServer(stored.baseUrl, baseUrl)) return { ...base, loggedIn: false, serverReachable: null };
  const api = await ctx.api();
  let me: ReturnType<typeof parseMe>;
  try {
    me = await api.get('/v1/me', { parse: parseMe, timeoutMs: 5_000 });
  } catch (err) {
    if (!(err instanceof CodevfError)) throw err;
    if (err.code === 'E_UNREACHABLE' || err.code === 'E_TIMEOUT') {
      return { ...base, loggedIn: true, serverReachable: false };
    }
    if (err.code === 'E_UNAUTHORIZED' || err.code === 'E_NOT_LOGGED_IN') {
      return { ...base, loggedIn: false, serverReachable: true };
    }
    throw err;
  }
  const user = {
    name: me.name,
    email: me.email,
    role: me.role,
    ...(me.credits !== undefined ? { credits: me.credits } : {}),
  };
  if (me.role !== 'customer') return { ...base, loggedIn: true, serverReachable: true, user };
  const [{ listTasks }, { taskRow }] = await Promise.all([import('../agent/taskApi'), import('./tasks')]);
  const query = projectId ? { projectId } : {};
  const [queued, active] = await Promise.all([
    listTasks(api, { ...query, status: 'queued' }),
    listTasks(api, { ...query, status: 'active' }),
  ]);
  // Filtered here too: a server that does not know `projectId` answers every task.
  const openTasks = [...queued, ...active]
    .filter((t) => !projectId || t.projectId === projectId)
    .map(taskRow)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { ...base, loggedIn: true, serverReachable: true, user, openTasks };
}

export default defineCommand({
  description:
    'Shows whether you are logged in, whether the server answers, which server this is, and the open ' +
    "(queued or active) tasks of this folder's project. Every answer is data: not logged in or server " +
    'down is exit 0 with loggedIn:false / serverReachable:false.',
  json: true,
  examples: ['codevf status', 'codevf status --json'],

  handler: (_parsed, ctx) => run(ctx),

  human(s, { io }) {
    io.out(
      `Server: ${s.baseUrl} (${s.serverReachable === null ? 'not checked' : s.serverReachable ? 'reachable' : 'unreachable'})\n`,
    );
    if (!s.loggedIn) io.out('Not logged in. Run: codevf login\n');
    else if (s.user) io.out(`Logged in as ${showUntrusted(s.user.name)} <${s.user.email}> (${s.user.role})\n`);
    else io.out('Logged in (not verified: the server could not be reached)\n');
    io.out(`Project: ${s.projectId ?? 'none in this folder'}\n`);
    if (s.openTasks.length === 0) io.out('Open tasks: none\n');
    for (const t of s.openTasks)
      io.out(`Open task ${t.id}: ${t.status}, ${showUntrusted(t.description).slice(0, 80)}\n`);
  },
});
