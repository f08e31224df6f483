import { type ClientPayload, MAX_CHAT_CHARS, MAX_REASON_CHARS, parseClientPayload } from '@codevf/protocol';
import { z } from 'zod';
import { firstIssue } from '../http/validate';
import type { ChatTool, ModelToolCall } from './modelClient';

/** A function tool taking an object of string arguments (name → what to put there); all are required but `optional`. */
function tool(name: string, description: string, args: Record<string, string>, optional: string[] = []): ChatTool {
  return {
    type: 'function',
    function: {
      name,
      description,
      parameters: {
        type: 'object',
        properties: Object.fromEntries(
          Object.entries(args).map(([arg, about]) => [arg, { type: 'string', description: about }]),
        ),
        required: Object.keys(args).filter((arg) => !optional.includes(arg)),
        additionalProperties: false,
      },
    },
  };
}

/**
 * The model's tools. Each maps to exactly what a human engineer can do in a session: ask to run
 * a command, ask for a file, or hand the session over. Nothing else exists for the model —
 * approving, uploading or ending are the customer's, and a call naming them is refused.
 */
export const AI_TOOLS: ChatTool[] = [
  tool(
    'run_command',
    "Ask the customer to run a shell command in their project's root directory (or in `cwd`, a folder inside it). They see the command and your reason and approve or deny it; its output (with secrets masked) reaches you in a later message. Nothing runs without their approval.",
    {
      command: 'The exact command line to run.',
      reason: 'Why you need it, in one sentence the customer reads.',
      cwd: 'Optional: the folder to run in, relative to the project root with / separators (e.g. packages/api).',
    },
    ['cwd'],
  ),
  tool(
    'read_file',
    'Ask the customer for one text file of their project (path relative to the project root). They approve or deny it; its content (with secrets masked) reaches you in a later message.',
    {
      path: 'Path relative to the project root.',
      reason: 'Why you need it, in one sentence the customer reads.',
    },
  ),
  tool(
    'hand_off',
    'Hand the session to a human CodeVF engineer: when you are stuck, when the problem needs someone who can do more than you can, or when the customer wants a person. The engineer reads your summary first.',
    {
      summary: 'For the engineer: the problem, what you found, what you tried and what is left.',
      reason: 'Why you hand over, in one sentence.',
    },
  ),
];

const TOOL_NAMES = AI_TOOLS.map((t) => t.function.name);

const HandOffArgs = z.object({
  summary: z.string().trim().min(1).max(MAX_CHAT_CHARS),
  reason: z.string().max(MAX_REASON_CHARS).default(''),
});

/** What a valid tool call asks for. */
export type ToolAction =
  | { kind: 'request_command'; payload: ClientPayload<'request_command'> }
  | { kind: 'request_file'; payload: ClientPayload<'request_file'> }
  | { kind: 'hand_off'; summary: string; reason: string };

export type ParsedToolCall = { ok: true; action: ToolAction } | { ok: false; error: string };

/**
 * Reads one tool call: its name must be one of AI_TOOLS, its arguments a JSON object, and the
 * request it becomes must pass the same protocol schema as an engineer's message (so the same
 * limits and refusals apply). The error is written for the model, which is told it as the
 * tool's result.
 */
export function parseToolCall(call: ModelToolCall): ParsedToolCall {
  if (!TOOL_NAMES.includes(call.name)) {
    return {
      ok: false,
      error: `There is no tool named "${call.name.slice(0, 100)}". Your tools are ${TOOL_NAMES.join(', ')}; approving requests and sending output or files are the customer's alone, and only a person ends the session.`,
    };
  }
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || '{}');
  } catch {
    return { ok: false, error: `The arguments of ${call.name} are not valid JSON; send one JSON object.` };
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args))
    return { ok: false, error: `The arguments of ${call.name} must be one JSON object.` };
  if (call.name === 'hand_off') {
    const parsed = HandOffArgs.safeParse(args);
    if (!parsed.success) return { ok: false, error: `hand_off: ${firstIssue(parsed.error, '(arguments)')}` };
    return { ok: true, action: { kind: 'hand_off', ...parsed.data } };
  }
  const kind = call.name === 'run_command' ? 'request_command' : 'request_file';
  const parsed = parseClientPayload(kind, args);
  if (!parsed.success) return { ok: false, error: `${call.name}: ${firstIssue(parsed.error, '(arguments)')}` };
  return kind === 'request_command'
    ? { ok: true, action: { kind, payload: parsed.data as ClientPayload<'request_command'> } }
    : { ok: true, action: { kind, payload: parsed.data as ClientPayload<'request_file'> } };
}
