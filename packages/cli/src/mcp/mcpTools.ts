import { showUntrusted } from '@codevf/protocol/shared';
import { z } from 'zod';
import type { AgentProject } from '../agent/agentProject';
import type { TaskDigest } from '../agent/taskDigest';
import type { ShareOutputResult } from '../commands/shareOutput';
import type { ApiClient } from '../core/api';
import type { CommandContext } from '../core/command';

/**
 * The tools of `codevf mcp`: each mirrors a verb and calls the verb's own `run`, so a tool
 * and its verb cannot drift apart. `text` is the short line the model reads; the result
 * itself goes out as structured content.
 */

/** The longest wait check_messages takes, so that every call returns well within 60 s. */
export const MAX_TOOL_WAIT_SECONDS = 50;

export interface ToolDeps {
  ctx: CommandContext;
  api(): Promise<ApiClient>;
  project(): Promise<AgentProject>;
}

export interface ToolDef<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  /** The verb it mirrors (SKILL.md names both). */
  verb: string;
  description: string;
  input: S;
  run(args: z.infer<z.ZodObject<S>>, deps: ToolDeps): Promise<unknown>;
  text(result: never): string;
}

const taskId = z.string().trim().min(1).max(64).describe('The task id (from ask or list_tasks)');
/** What became of output an earlier share of the request sent before it stopped half way. */
const EARLIER_OUTPUT: Record<ShareOutputResult['earlierOutput'], (alreadySent: number) => string> = {
  none: () => '',
  continued: (n) => ` (the first ${n} bytes were sent by an earlier share that stopped half way)`,
  differs: () => ' (after other output an earlier share of this request sent)',
};
const requestId = z.string().trim().min(1).max(64).describe('The request id (from check_messages)');

function tool<S extends z.ZodRawShape, R>(def: {
  name: string;
  verb: string;
  description: string;
  input: S;
  run(args: z.infer<z.ZodObject<S>>, deps: ToolDeps): Promise<R>;
  text(result: R): string;
}): ToolDef {
  return def as unknown as ToolDef;
}

function digestText(d: TaskDigest): string {
  const lines = d.events.map((e) => {
    if (e.type === 'message')
      return `#${e.seq} ${e.from === 'customer' ? 'you' : showUntrusted(e.name ?? e.from)}: ${showUntrusted(e.text)}`;
    if (e.type === 'request') {
      const what =
        e.kind === 'command' ? `run command: ${showUntrusted(e.command)}` : `read file: ${showUntrusted(e.path)}`;
      return `#${e.seq} request ${e.requestId} (${e.state}) to ${what} — reason: ${showUntrusted(e.reason)}`;
    }
    if (e.type === 'status')
      return `#${e.seq} status: ${e.status}${e.queuePosition !== undefined ? ` (queue position ${e.queuePosition})` : ''}`;
    if (e.type === 'billing') return `#${e.seq} billing: ${e.creditsUsed} credits used`;
    if (e.type === 'screenshare') return `#${e.seq} screenshare offered: ${showUntrusted(e.url)}`;
    return `#${e.seq} ${showUntrusted(e.text)}`;
  });
  if (lines.length === 0) lines.push('No new events.');
  if (d.pendingRequests.length) {
    lines.push(
      `Waiting for your answer: ${d.pendingRequests.map((r) => r.requestId).join(', ')}. Show the user the exact ` +
        'command or path; act only with their approval, then share_output / share_file, or decline.',
    );
  }
  lines.push(d.status === 'ended' ? 'The task has ended.' : `Call check_messages again with after=${d.nextAfter}.`);
  return lines.join('\n');
}

export const TOOLS: ToolDef[] = [
  tool({
    name: 'ask',
    verb: 'ask',
    description:
      'Ask a human engineer (or the CodeVF AI) for help: creates a task and returns at once with its id, status ' +
      'and queue position. Then poll check_messages. contextFiles: project files sent along (confined to the ' +
      'project, secrets files refused, redacted).',
    input: {
      question: z.string().min(1).max(8000).describe('What you need help with, with what you already tried'),
      mode: z.enum(['human', 'ai', 'hybrid']).optional().describe('Who should help (default: the server decides)'),
      maxCredits: z.number().int().positive().optional().describe('Stop the task when it has cost this many credits'),
      contextFiles: z.array(z.string().min(1)).max(10).optional().describe('Project files to send with the question'),
    },
    async run(a, deps) {
      const { run } = await import('../commands/ask');
      return run({
        api: await deps.api(),
        project: await deps.project(),
        question: a.question,
        mode: a.mode,
        maxCredits: a.maxCredits,
        contextFiles: a.contextFiles,
      });
    },
    text: (r: { taskId: string; status: string; queuePosition: number | null }) =>
      `Task ${r.taskId} created (${r.status}${r.queuePosition !== null ? `, queue position ${r.queuePosition}` : ''}). Call check_messages with taskId=${r.taskId} and after=0.`,
  }),
  tool({
    name: 'check_messages',
    verb: 'messages',
    description:
      `New events of a task after a seq: chat, engineer requests (id, command or path, reason, state), status, ` +
      `billing. Waits up to waitSeconds (at most ${MAX_TOOL_WAIT_SECONDS}) for the next event, then returns; ` +
      'call again with after=nextAfter. pendingRequests need an answer: share_output, share_file or decline.',
    input: {
      taskId,
      after: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe('The nextAfter of the previous call (0 or omitted: from the start)'),
      waitSeconds: z
        .number()
        .int()
        .min(0)
        .max(MAX_TOOL_WAIT_SECONDS)
        .optional()
        .describe(`Wait this long for a new event (0–${MAX_TOOL_WAIT_SECONDS}, default 30)`),
    },
    async run(a, deps) {
      const { run } = await import('../commands/messages');
      return run({ api: await deps.api(), taskId: a.taskId, after: a.after ?? 0, wait: a.waitSeconds ?? 30 });
    },
    text: digestText,
  }),
  tool({
    name: 'reply',
    verb: 'reply',
    description: 'Send a chat message to whoever helps on the task. Secrets in it are masked first.',
    input: { taskId, text: z.string().min(1).max(8000).describe('The message') },
    async run(a, deps) {
      const { run } = await import('../commands/reply');
      return run({ api: await deps.api(), project: await deps.project(), taskId: a.taskId, text: a.text });
    },
    text: (r: { seq: number | null }) => `Sent${r.seq !== null ? ` (#${r.seq})` : ''}.`,
  }),
  tool({
    name: 'share_output',
    verb: 'share-output',
    description:
      "Answer an engineer's command request with output you captured after running the exact command with " +
      "your own tools, with the user's approval. Redacted (secrets masked) and size-capped before it is sent.",
    input: {
      taskId,
      requestId,
      output: z
        .string()
        .max(4 * 1024 * 1024)
        .describe("The command's output (stdout and stderr)"),
      exitCode: z.number().int().min(-255).max(255).optional().describe("The command's exit code"),
    },
    async run(a, deps) {
      const { run } = await import('../commands/shareOutput');
      return run({
        api: await deps.api(),
        project: await deps.project(),
        taskId: a.taskId,
        requestId: a.requestId,
        output: a.output,
        exitCode: a.exitCode,
      });
    },
    text: (r: ShareOutputResult) =>
      `Shared ${r.bytesSent} bytes of output${EARLIER_OUTPUT[r.earlierOutput](r.alreadySent)}${r.redactions ? `; ${r.redactions} secret value(s) masked` : ''}${r.truncated ? '; truncated at the size limit' : ''}.`,
  }),
  tool({
    name: 'share_file',
    verb: 'share-file',
    description:
      "Answer an engineer's file request with the file it names (after the user approved): only a text file " +
      'inside the project, never a secrets file, within the size limit, redacted. A refused file is reported to the engineer.',
    input: { taskId, requestId },
    async run(a, deps) {
      const { run } = await import('../commands/shareFile');
      return run({ api: await deps.api(), project: await deps.project(), taskId: a.taskId, requestId: a.requestId });
    },
    text: (r: { path: string; size: number; redactions: number }) =>
      `Shared ${r.path} (${r.size} bytes${r.redactions ? `; ${r.redactions} secret value(s) masked` : ''}).`,
  }),
  tool({
    name: 'decline',
    verb: 'decline',
    description: "Decline an engineer's request (command or file). The engineer sees the reason.",
    input: { taskId, requestId, reason: z.string().max(500).optional().describe('Why (shown to the engineer)') },
    async run(a, deps) {
      const { run } = await import('../commands/decline');
      return run({ api: await deps.api(), taskId: a.taskId, requestId: a.requestId, reason: a.reason });
    },
    text: (r: { requestId: string }) => `Declined ${r.requestId}.`,
  }),
  tool({
    name: 'end',
    verb: 'end',
    description: 'End the task and optionally rate the help (1–5) with feedback.',
    input: {
      taskId,
      rating: z.number().int().min(1).max(5).optional().describe('How good the help was, 1–5'),
      feedback: z.string().max(2000).optional().describe('A few words for the engineer (with a rating)'),
    },
    async run(a, deps) {
      const { run } = await import('../commands/end');
      return run({ api: await deps.api(), taskId: a.taskId, rating: a.rating, feedback: a.feedback });
    },
    text: (r: { taskId: string; creditsUsed: number; rating: number | null }) =>
      `Task ${r.taskId} ended (${r.creditsUsed} credits)${r.rating ? `; rated ${r.rating}/5` : ''}.`,
  }),
  tool({
    name: 'list_tasks',
    verb: 'tasks',
    description: 'List your tasks, newest first (id, description, mode, status, engineer, duration, credits, rating).',
    input: {
      status: z.enum(['queued', 'active', 'ended']).optional().describe('Only tasks with this status'),
      limit: z.number().int().min(1).max(200).optional().describe('At most this many (default 50)'),
    },
    async run(a, deps) {
      const { run } = await import('../commands/tasks');
      return run({ api: await deps.api(), status: a.status, limit: a.limit });
    },
    text: (r: { tasks: { id: string; status: string }[] }) =>
      r.tasks.length ? r.tasks.map((t) => `${t.id} ${t.status}`).join('\n') : 'No tasks.',
  }),
  tool({
    name: 'status',
    verb: 'status',
    description: "Whether you are logged in, whether the server answers, which server, and this project's open tasks.",
    input: {},
    async run(_a, deps) {
      const { run } = await import('../commands/status');
      return run(deps.ctx);
    },
    text: (r: { loggedIn: boolean; serverReachable: boolean | null; baseUrl: string; openTasks: { id: string }[] }) =>
      `${r.loggedIn ? 'Logged in' : 'Not logged in (the user must run: codevf login)'} to ${r.baseUrl}; server ${r.serverReachable === null ? 'not checked' : r.serverReachable ? 'reachable' : 'unreachable'}; open tasks: ${r.openTasks.map((t) => t.id).join(', ') || 'none'}.`,
  }),
];
