import type { ApiClient } from '../core/api';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';
import { parseId } from '../core/parseNumber';

/** As the protocol allows for a decline reason (docs/PROTOCOL.md, approve_command). */
const MAX_REASON_CHARS = 500;

export interface DeclineOptions {
  api: ApiClient;
  taskId: string;
  requestId: string;
  reason?: string;
}

/** Denies an engineer's request (a command or a file); the engineer sees the reason. */
export async function run(options: DeclineOptions): Promise<{ taskId: string; requestId: string; declined: true }> {
  const { api, taskId, requestId } = options;
  const reason = options.reason?.trim();
  if (reason && reason.length > MAX_REASON_CHARS) {
    throw new CodevfError('E_VALIDATION', `--reason is at most ${MAX_REASON_CHARS} characters.`);
  }
  const { openRequest } = await import('../agent/openRequest');
  const request = await openRequest(api, taskId, requestId, { decline: true });
  const { postMessage } = await import('../agent/taskApi');
  await postMessage(api, taskId, request.kind === 'command' ? 'approve_command' : 'approve_file', {
    requestId,
    approved: false,
    ...(reason ? { reason } : {}),
  });
  return { taskId, requestId, declined: true };
}

export default defineCommand({
  description: "Declines an engineer's request to run a command or read a file. The engineer sees --reason.",
  args: [
    { name: 'taskId', description: 'The task', required: true },
    { name: 'requestId', description: 'The request (from codevf messages)', required: true },
  ],
  flags: { reason: { type: 'string', valueName: 'text', description: 'Why (shown to the engineer)' } },
  json: true,
  examples: ['codevf decline 01J9Z3… req_4 --reason "we do not run migrations on this machine"'],

  async handler(parsed, ctx) {
    const taskId = parseId('taskId', parsed.args.taskId as string | undefined);
    const requestId = parseId('requestId', parsed.args.requestId as string | undefined);
    return run({ api: await ctx.api(), taskId, requestId, reason: parsed.flags.reason });
  },

  human(r, { io }) {
    io.err(`Declined ${r.requestId}.\n`);
  },
});
