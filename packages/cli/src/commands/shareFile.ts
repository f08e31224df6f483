import type { AgentProject } from '../agent/agentProject';
import type { ApiClient } from '../core/api';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';
import { parseId } from '../core/parseNumber';

export interface ShareFileOptions {
  api: ApiClient;
  project: AgentProject;
  taskId: string;
  requestId: string;
}

export interface ShareFileResult {
  taskId: string;
  requestId: string;
  path: string;
  size: number;
  redactions: number;
}

/**
 * Answers an engineer's file request with the file it names, through the live session's
 * checks: confined to the project, no secrets file, size cap, text only, redacted. A file that
 * may not be sent is refused on the wire (the engineer sees why) and reported as E_FORBIDDEN.
 */
export async function run(options: ShareFileOptions): Promise<ShareFileResult> {
  const { api, project, taskId, requestId } = options;
  const [{ openRequest }, { postMessage }] = await Promise.all([
    import('../agent/openRequest'),
    import('../agent/taskApi'),
  ]);
  const request = await openRequest(api, taskId, requestId, { share: 'file' });
  if (request.kind !== 'file') throw new CodevfError('E_INTERNAL', 'not a file request');
  const refuse = async (reason: string, hint: string): Promise<never> => {
    if (request.state === 'pending') {
      await postMessage(api, taskId, 'approve_file', {
        requestId,
        approved: false,
        refusedReason: reason.slice(0, 1_000),
      });
    }
    throw new CodevfError('E_FORBIDDEN', `File ${JSON.stringify(request.path)} refused: ${reason}.`, { hint });
  };

  const check = await project.local.checkFile(request.path);
  if (!check.ok) return refuse(check.reason, 'The engineer was told why. Nothing was sent.');
  if (check.sensitive) {
    // In a terminal the customer types the file's name to send one of these; an agent cannot
    // stand in for that, so it is refused (fail closed).
    return refuse(
      check.sensitiveReason ?? 'the file usually holds secrets',
      `The engineer was told why. To send it anyway, the user can run: codevf fix --resume ${taskId}`,
    );
  }
  const read = await project.local.readFile(request.path);
  if (!read.ok) return refuse(read.reason, 'The engineer was told why. Nothing was sent.');
  if (request.state === 'pending') await postMessage(api, taskId, 'approve_file', { requestId, approved: true });
  await postMessage(api, taskId, 'file_upload', {
    requestId,
    // The path as requested: the server checks the upload answers exactly that request.
    path: request.path,
    size: read.size,
    sha256: read.sha256,
    encoding: 'utf8',
    content: read.content,
    redactions: read.redactions,
  });
  return { taskId, requestId, path: read.path, size: read.size, redactions: read.redactions };
}

export default defineCommand({
  description:
    "Answers an engineer's request to read a file: sends the file the request names, after the live " +
    "session's checks (inside the project, not a secrets file, size limit, text only) with secrets masked. " +
    'A file that fails a check is refused and the engineer is told why.',
  args: [
    { name: 'taskId', description: 'The task', required: true },
    { name: 'requestId', description: 'The file request (from codevf messages)', required: true },
  ],
  json: true,
  examples: ['codevf share-file 01J9Z3… req_5 --json'],

  async handler(parsed, ctx) {
    const taskId = parseId('taskId', parsed.args.taskId as string | undefined);
    const requestId = parseId('requestId', parsed.args.requestId as string | undefined);
    const api = await ctx.api();
    await api.accessToken();
    const { openAgentProject } = await import('../agent/agentProject');
    return run({ api, project: await openAgentProject(ctx.cwd(), api), taskId, requestId });
  },

  human(r, { io }) {
    const masked = r.redactions ? `, ${r.redactions} value${r.redactions === 1 ? '' : 's'} masked` : '';
    io.err(`Shared ${r.path} (${r.size} bytes${masked}).\n`);
  },
});
