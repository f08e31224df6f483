import type { AgentProject } from '../agent/agentProject';
import type { ApiClient } from '../core/api';
import { defineCommand } from '../core/command';
import { parseId } from '../core/parseNumber';

export interface ReplyOptions {
  api: ApiClient;
  project: AgentProject;
  taskId: string;
  text: string;
}

/** Sends a chat line to whoever helps, redacted as the live session redacts what you type. */
export async function run(options: ReplyOptions): Promise<{ taskId: string; seq: number | null; redactions: number }> {
  const [{ chatLine }, { postMessage }] = await Promise.all([import('../agent/chatText'), import('../agent/taskApi')]);
  const line = await chatLine(options.project.local, options.text);
  const seq = await postMessage(options.api, options.taskId, 'customer_message', {
    text: line.text,
    ...(line.redactions ? { redactions: line.redactions } : {}),
  });
  return { taskId: options.taskId, seq, redactions: line.redactions };
}

export default defineCommand({
  description: 'Sends a chat message to the engineer (or the AI) helping on a task. Secrets in it are masked first.',
  args: [
    { name: 'taskId', description: 'The task', required: true },
    { name: 'text', description: 'The message', required: true, variadic: true },
  ],
  json: true,
  examples: ['codevf reply 01J9Z3… "the test passes now, thanks"'],

  async handler(parsed, ctx) {
    const taskId = parseId('taskId', parsed.args.taskId as string | undefined);
    const words = parsed.args.text;
    const api = await ctx.api();
    await api.accessToken();
    const { openAgentProject } = await import('../agent/agentProject');
    const project = await openAgentProject(ctx.cwd(), api);
    return run({ api, project, taskId, text: Array.isArray(words) ? words.join(' ') : (words ?? '') });
  },

  human(r, { io }) {
    io.err(`Sent${r.redactions ? ` (${r.redactions} value${r.redactions === 1 ? '' : 's'} masked)` : ''}.\n`);
  },
});
