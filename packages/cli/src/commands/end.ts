import type { ApiClient } from '../core/api';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';
import { parseId, parseWholeNumber } from '../core/parseNumber';

export interface EndOptions {
  api: ApiClient;
  taskId: string;
  rating?: number;
  feedback?: string;
}

export interface EndResult {
  taskId: string;
  status: 'ended';
  /** False when the task had already ended (by the engineer or the server). */
  endedNow: boolean;
  durationSeconds: number | null;
  creditsUsed: number;
  rating: number | null;
}

/** Ends the task (if it is still open), then rates it when a rating is given. */
export async function run(options: EndOptions): Promise<EndResult> {
  const { api, taskId } = options;
  if (options.feedback !== undefined && options.rating === undefined) {
    throw new CodevfError('E_VALIDATION', '--feedback goes with a rating.', { hint: 'Add --rating 1-5.' });
  }
  const { endTask, getTask, rateTask } = await import('../agent/taskApi');
  let task = await getTask(api, taskId);
  const endedNow = task.status !== 'ended';
  if (endedNow) task = await endTask(api, taskId, 'Ended by the customer (agent).');
  if (options.rating !== undefined) await rateTask(api, taskId, options.rating, options.feedback);
  return {
    taskId,
    status: 'ended',
    endedNow,
    durationSeconds: task.durationSeconds ?? null,
    creditsUsed: task.creditsUsed,
    rating: options.rating ?? task.rating,
  };
}

export default defineCommand({
  description:
    'Ends a task and, with --rating, rates the help (1–5, optional --feedback). Ending a task that has ' +
    'already ended only rates it.',
  args: [{ name: 'taskId', description: 'The task', required: true }],
  flags: {
    rating: { type: 'string', valueName: '1-5', description: 'How good the help was' },
    feedback: { type: 'string', valueName: 'text', description: 'A few words for the engineer (with --rating)' },
  },
  json: true,
  examples: ['codevf end 01J9Z3… --rating 5 --feedback "found it in minutes"'],

  async handler(parsed, ctx) {
    const taskId = parseId('taskId', parsed.args.taskId as string | undefined);
    const rating = parseWholeNumber('--rating', parsed.flags.rating, { min: 1, max: 5 });
    return run({ api: await ctx.api(), taskId, rating, feedback: parsed.flags.feedback });
  },

  human(r, { io }) {
    const mins = r.durationSeconds !== null ? `, ${Math.ceil(r.durationSeconds / 60)} min` : '';
    io.err(
      `${r.endedNow ? 'Ended' : 'Already ended'} (${r.creditsUsed} credits${mins})${r.rating ? `; rated ${r.rating}/5` : ''}.\n`,
    );
  },
});
