import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { AgentProject } from '../agent/agentProject';
import type { ApiClient } from '../core/api';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';
import { parseId, parseWholeNumber } from '../core/parseNumber';

/** Text gathered before a `command_output` post (the wire splits it further). */
const POST_CHARS = 64 * 1024;

export interface ShareOutputOptions {
  api: ApiClient;
  project: AgentProject;
  taskId: string;
  requestId: string;
  /** The output, as text or as a stream of text (a file, stdin). */
  output: string | AsyncIterable<string | Buffer>;
  exitCode?: number;
}

export interface ShareOutputResult {
  taskId: string;
  requestId: string;
  /** The command the engineer asked for (what the output should answer). */
  command: string;
  bytesSent: number;
  redactions: number;
  truncated: boolean;
  /**
   * Output an earlier share of this request sent before it stopped half way: `none`;
   * `continued` (this output begins with it, so only the rest was sent: `alreadySent` bytes
   * were skipped); `differs` (other output: this one was sent whole after it).
   */
  earlierOutput: 'none' | 'continued' | 'differs';
  alreadySent: number;
}

/**
 * Answers an engineer's command request with output the agent captured: approves it (once),
 * sends the output through the live session's streaming redactor and size cap, then the result.
 */
export async function run(options: ShareOutputOptions): Promise<ShareOutputResult> {
  const { api, project, taskId, requestId } = options;
  const [{ openRequest }, { postMessage }, { createStreamRedactor }, { splitForWire }] = await Promise.all([
    import('../agent/openRequest'),
    import('../agent/taskApi'),
    import('../safety/streamRedactor'),
    import('../safety/splitForWire'),
  ]);
  const request = await openRequest(api, taskId, requestId, { share: 'command' });
  if (request.kind !== 'command') throw new CodevfError('E_INTERNAL', 'not a command request');
  if (request.state === 'pending') {
    await postMessage(api, taskId, 'approve_command', { requestId, approved: true, scope: 'once' });
  }

  // A share that stopped half way (network, ^C) left the request approved with part of the
  // output sent. The same output redacts to the same text, so a re-run skips what the engineer
  // already has instead of showing it twice; any other output is sent whole after it.
  const earlier = request.output.map((c) => c.data).join('');
  let skipped = '';
  let earlierOutput: ShareOutputResult['earlierOutput'] = earlier ? 'continued' : 'none';
  const skipEarlier = (text: string): string => {
    if (earlierOutput !== 'continued' || skipped.length === earlier.length) return text;
    const n = Math.min(earlier.length - skipped.length, text.length);
    if (text.slice(0, n) !== earlier.slice(skipped.length, skipped.length + n)) {
      earlierOutput = 'differs';
      return skipped + text;
    }
    skipped += text.slice(0, n);
    return text.slice(n);
  };

  const redactor = createStreamRedactor(project.redactor);
  const max = project.maxOutputBytes;
  let taken = 0;
  let truncated = false;
  let redactions = 0;
  let bytesSent = 0;
  let pending = '';
  const send = async (force: boolean) => {
    if (!pending || (!force && pending.length < POST_CHARS)) return;
    const text = skipEarlier(pending);
    pending = '';
    for (const data of splitForWire(text)) {
      await postMessage(api, taskId, 'command_output', { requestId, stream: 'stdout', data });
      bytesSent += Buffer.byteLength(data);
    }
  };
  const release = async (r: { text: string; redactions: number }) => {
    redactions += r.redactions;
    pending += r.text;
    await send(false);
  };

  const source = typeof options.output === 'string' ? [options.output] : options.output;
  for await (const raw of source) {
    let chunk = typeof raw === 'string' ? raw : raw.toString('utf8');
    const size = Buffer.byteLength(chunk);
    if (taken + size > max) {
      // The cap counts what the command produced, as in the live session: the rest is dropped.
      chunk = Buffer.from(chunk)
        .subarray(0, max - taken)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
      truncated = true;
    }
    taken += Buffer.byteLength(chunk);
    await release(redactor.push(chunk));
    if (truncated) break;
  }
  await release(redactor.flush());
  await send(true);
  await postMessage(api, taskId, 'command_result', {
    requestId,
    exitCode: options.exitCode ?? null,
    durationMs: 0,
    truncated,
    redactions,
  });
  const alreadySent = earlierOutput === 'continued' ? Buffer.byteLength(skipped) : 0;
  return { taskId, requestId, command: request.command, bytesSent, redactions, truncated, earlierOutput, alreadySent };
}

/** `--file F`: the agent's captured output; never a secrets file (it would leave as "output"). */
export async function outputSource(file: string, stdin: Readable): Promise<AsyncIterable<string | Buffer>> {
  if (file === '-') return stdin;
  const { isSensitivePath } = await import('../safety/sensitiveFiles');
  if (isSensitivePath(file.replaceAll('\\', '/'))) {
    throw new CodevfError('E_FORBIDDEN', `${file} looks like a secrets file; it is not sent as command output.`, {
      hint: 'Save the command output to a plain file (or pipe it with --file -).',
    });
  }
  const stream = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) =>
      reject(
        new CodevfError('E_VALIDATION', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err.message}.`),
      ),
    );
  });
  return stream;
}

export default defineCommand({
  description:
    "Answers an engineer's request to run a command with output you captured yourself (the agent runs the " +
    'command with its own tools, after the user saw and approved the exact command). The output is redacted ' +
    '(secrets masked) and capped as in a live session before it leaves this machine. --file - reads stdin.',
  args: [
    { name: 'taskId', description: 'The task', required: true },
    { name: 'requestId', description: 'The command request (from codevf messages)', required: true },
  ],
  flags: {
    file: { type: 'string', valueName: 'file|-', description: 'The captured output (- for stdin)' },
    'exit-code': { type: 'string', valueName: 'N', description: "The command's exit code" },
  },
  json: true,
  examples: ['npm test 2>&1 | codevf share-output 01J9Z3… req_3 --file - --exit-code 1'],

  async handler(parsed, ctx) {
    const taskId = parseId('taskId', parsed.args.taskId as string | undefined);
    const requestId = parseId('requestId', parsed.args.requestId as string | undefined);
    const file = parsed.flags.file;
    if (!file) {
      throw new CodevfError('E_VALIDATION', 'Missing --file: the captured output (or - for stdin).', {
        hint: 'Run: codevf share-output --help',
      });
    }
    const exitCode = parseWholeNumber('--exit-code', parsed.flags['exit-code'], { min: -255, max: 255 });
    const api = await ctx.api();
    await api.accessToken();
    const { openAgentProject } = await import('../agent/agentProject');
    const project = await openAgentProject(ctx.cwd(), api);
    const output = await outputSource(file, ctx.io.stdin);
    return run({ api, project, taskId, requestId, output, exitCode });
  },

  human(r, { io }) {
    const masked = r.redactions ? `, ${r.redactions} value${r.redactions === 1 ? '' : 's'} masked` : '';
    if (r.earlierOutput === 'continued') {
      io.err(`An earlier share of this request stopped after ${r.alreadySent} bytes; sent the rest.\n`);
    } else if (r.earlierOutput === 'differs') {
      io.err('An earlier share of this request sent other output; the engineer sees this output after it.\n');
    }
    io.err(`Shared ${r.bytesSent} bytes of output${masked}${r.truncated ? ' (truncated at the size limit)' : ''}.\n`);
  },
});
