import type { Task } from '@codevf/protocol';
import type { AgentProject } from '../agent/agentProject';
import type { ApiClient } from '../core/api';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';
import { usage } from '../core/parse';
import { parseWholeNumber } from '../core/parseNumber';

const MODES: readonly Task['mode'][] = ['human', 'ai', 'hybrid'];
/** More context files than this is not asking a question any more. */
const MAX_CONTEXT_FILES = 10;

export interface AskOptions {
  api: ApiClient;
  project: AgentProject;
  question: string;
  mode?: Task['mode'];
  maxCredits?: number;
  contextFiles?: string[];
}

export interface AskResult {
  taskId: string;
  status: Task['status'];
  mode: Task['mode'];
  queuePosition: number | null;
  estimatedWaitSeconds: number | null;
  /** Context files sent, as sent (project-relative path, bytes after redaction, values masked). */
  contextFiles: { path: string; size: number; redactions: number }[];
  /** Pass as --after to `codevf messages` (0: read everything). */
  nextAfter: number;
}

/**
 * Creates an agent-driven task and returns at once. Context files are checked and read first
 * (every file or none): confined to the project, never a secrets file, within the size cap,
 * redacted — the live session's rules for a file an engineer asks for.
 */
export async function run(options: AskOptions): Promise<AskResult> {
  const { api, project } = options;
  const [{ chatLine, contextFileLines }, { createTask, postMessage }] = await Promise.all([
    import('../agent/chatText'),
    import('../agent/taskApi'),
  ]);
  const question = await chatLine(project.local, options.question, 'The question');
  const files = options.contextFiles ?? [];
  if (files.length > MAX_CONTEXT_FILES) {
    throw new CodevfError('E_VALIDATION', `At most ${MAX_CONTEXT_FILES} context files; got ${files.length}.`);
  }
  const read: { path: string; size: number; redactions: number; content: string }[] = [];
  for (const file of files) {
    const check = await project.local.checkFile(file);
    if (!check.ok) {
      throw new CodevfError('E_FORBIDDEN', `Context file ${JSON.stringify(file)} refused: ${check.reason}.`, {
        hint: 'Context files must be text files inside the project (the folder with .codevf/, or this folder).',
      });
    }
    if (check.sensitive) {
      throw new CodevfError('E_FORBIDDEN', `Context file ${JSON.stringify(file)} refused: ${check.sensitiveReason}`, {
        hint: 'Secrets files are never sent by an agent. Describe what matters in the question instead.',
      });
    }
    const file_ = await project.local.readFile(file);
    if (!file_.ok)
      throw new CodevfError('E_FORBIDDEN', `Context file ${JSON.stringify(file)} refused: ${file_.reason}.`);
    read.push({ path: file_.path, size: file_.size, redactions: file_.redactions, content: file_.content });
  }

  const task = await createTask(api, {
    description: question.text,
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.maxCredits ? { maxCredits: options.maxCredits } : {}),
    ...(project.projectId ? { projectId: project.projectId } : {}),
  });
  for (const f of read) {
    for (const text of contextFileLines(f.path, f.content)) {
      await postMessage(api, task.id, 'customer_message', {
        text,
        ...(f.redactions ? { redactions: f.redactions } : {}),
      });
    }
  }
  return {
    taskId: task.id,
    status: task.status,
    mode: task.mode,
    queuePosition: task.queuePosition ?? null,
    estimatedWaitSeconds: task.estimatedWaitSeconds ?? null,
    contextFiles: read.map(({ path, size, redactions }) => ({ path, size, redactions })),
    nextAfter: 0,
  };
}

export function parseMode(raw: string | undefined): Task['mode'] | undefined {
  if (raw === undefined) return undefined;
  const mode = raw.trim().toLowerCase();
  if ((MODES as readonly string[]).includes(mode)) return mode as Task['mode'];
  throw usage('ask', `--mode must be one of ${MODES.join(', ')}; got ${JSON.stringify(raw)}.`);
}

export default defineCommand({
  description:
    'Asks for help without a terminal screen (for coding agents and scripts): creates a task and returns at ' +
    'once with its id, status, queue position and estimated wait. Follow it with `codevf messages <taskId> ' +
    '--wait 30`. Engineer requests (a command to run, a file to read) come back as requests to consider: ' +
    'answer them with share-output, share-file or decline. --context-file sends a project file along ' +
    '(confined to the project, secrets files refused, redacted).',
  args: [{ name: 'question', description: 'What you need help with', required: true, variadic: true }],
  flags: {
    mode: {
      type: 'string',
      valueName: 'human|ai|hybrid',
      description: 'Who should help (default: the server decides)',
    },
    'max-credits': { type: 'string', valueName: 'N', description: 'Stop the task when it has cost N credits' },
    'context-file': {
      type: 'string',
      valueName: 'file',
      multiple: true,
      description: 'A project file to send with the question (repeatable)',
    },
  },
  json: true,
  examples: [
    'codevf ask "the login test fails since the last deploy" --json',
    'codevf ask --mode human --context-file src/auth.ts "why does this reject valid tokens?"',
  ],

  async handler(parsed, ctx) {
    const words = parsed.args.question;
    const question = Array.isArray(words) ? words.join(' ') : (words ?? '');
    const mode = parseMode(parsed.flags.mode);
    const maxCredits = parseWholeNumber('--max-credits', parsed.flags['max-credits'], { min: 1 });
    const api = await ctx.api();
    await api.accessToken(); // not logged in: say so before reading any file
    const { openAgentProject } = await import('../agent/agentProject');
    const project = await openAgentProject(ctx.cwd(), api);
    return run({ api, project, question, mode, maxCredits, contextFiles: parsed.flags['context-file'] });
  },

  human(r, { io }) {
    io.out(`${r.taskId}\n`);
    const wait =
      r.status === 'queued' && r.queuePosition !== null
        ? ` (position ${r.queuePosition}${r.estimatedWaitSeconds !== null ? `, about ${Math.ceil(r.estimatedWaitSeconds / 60)} min` : ''})`
        : '';
    io.err(`Task created: ${r.status}${wait}. Follow it with: codevf messages ${r.taskId} --wait 30\n`);
  },
});
