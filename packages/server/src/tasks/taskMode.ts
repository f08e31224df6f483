import type { Task } from '@codevf/protocol';
import { type AiConfig, aiConfigured } from '../config';
import { ApiError } from '../http/errors';

const VENDOR_NAMES: Record<AiConfig['vendor'], string> = {
  claude: 'Claude',
  gemini: 'Gemini',
  gpt: 'GPT',
  other: 'other AI tools',
};

export interface ResolvedMode {
  mode: Task['mode'];
  /** Why the task is human-only although AI was the default (shown to the customer); null otherwise. */
  modeNote: string | null;
}

/** Whether a project's allowed AI tools (`codevf init`) include the server's AI vendor; no project allows it. */
function projectAllows(ai: AiConfig, allowedTools: readonly string[] | null): boolean {
  return allowedTools === null || allowedTools.some((t) => t.toLowerCase() === ai.vendor);
}

function notAllowedNote(ai: AiConfig, allowedTools: readonly string[]): string {
  const allowed = allowedTools.length > 0 ? allowedTools.join(', ') : 'none';
  return `This project does not allow ${VENDOR_NAMES[ai.vendor]} (allowed: ${allowed}).`;
}

/**
 * Who helps with a new task. `ai`/`hybrid` need an AI on the server and a project allowing its
 * vendor, else a specific error; `human` is always possible. Omitted: `hybrid` when the AI
 * could take it, otherwise `human` with a note saying why.
 */
export function resolveMode(
  ai: AiConfig,
  requested: Task['mode'] | undefined,
  allowedTools: readonly string[] | null,
): ResolvedMode {
  if (requested === 'human') return { mode: 'human', modeNote: null };
  const offered = aiConfigured(ai);
  const allowed = projectAllows(ai, allowedTools);
  if (requested === undefined) {
    if (!offered) return { mode: 'human', modeNote: 'This server has no AI participant.' };
    if (!allowed) return { mode: 'human', modeNote: notAllowedNote(ai, allowedTools ?? []) };
    return { mode: 'hybrid', modeNote: null };
  }
  if (!offered)
    throw new ApiError(
      'E_AI_UNAVAILABLE',
      `This server has no AI participant, so mode "${requested}" is not available.`,
    );
  if (!allowed) throw new ApiError('E_AI_NOT_ALLOWED', notAllowedNote(ai, allowedTools ?? []));
  return { mode: requested, modeNote: null };
}
