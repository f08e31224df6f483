import { showUntrusted } from '@codevf/protocol/shared';
import type { TaskDigest } from '../agent/taskDigest';
import type { ApiClient } from '../core/api';
import { defineCommand } from '../core/command';
import { parseId, parseWholeNumber } from '../core/parseNumber';

/** The longest wait a verb may ask for (the server's limit). */
export const MAX_WAIT_SECONDS = 55;

export interface MessagesOptions {
  api: ApiClient;
  taskId: string;
  /** Events after this seq (0: from the start). */
  after: number;
  /** Seconds to wait on the server for the next event when none is there yet (0: answer at once). */
  wait: number;
}

/**
 * Folds every event of the task (a request's state may have changed after the seq the agent
 * has), then answers those after `after`; when there are none, waits on the server for the
 * next one, at most `wait` seconds. An ended task answers at once.
 */
export async function run(options: MessagesOptions): Promise<TaskDigest> {
  const { api, taskId, after, wait } = options;
  const [{ readAllEvents, waitForEvents }, { digestTask }] = await Promise.all([
    import('../agent/taskApi'),
    import('../agent/taskDigest'),
  ]);
  const all = await readAllEvents(api, taskId);
  let digest = digestTask(taskId, all, after);
  if (digest.events.length === 0 && wait > 0 && digest.status !== 'ended') {
    const from = Math.max(after, digest.nextAfter);
    const more = await waitForEvents(api, taskId, from, wait);
    digest = digestTask(taskId, [...all, ...more.events], after);
  }
  return digest;
}

export default defineCommand({
  description:
    'Shows what happened in a task after a seq: chat lines, engineer requests (with their id and state), ' +
    'status and billing changes. With --wait it waits up to that many seconds (at most 55) for the next ' +
    'event, so an agent can poll without blocking: call it again with --after set to the nextAfter it ' +
    'returned. pendingRequests lists the requests waiting for share-output, share-file or decline.',
  args: [{ name: 'taskId', description: 'The task (from codevf ask or codevf tasks)', required: true }],
  flags: {
    after: { type: 'string', valueName: 'seq', description: 'Only events after this seq (default 0: all)' },
    wait: {
      type: 'string',
      valueName: 'seconds',
      description: `Wait up to this long for a new event (0–${MAX_WAIT_SECONDS})`,
    },
  },
  json: true,
  examples: ['codevf messages 01J9Z3… --json', 'codevf messages 01J9Z3… --after 12 --wait 30 --json'],

  async handler(parsed, ctx) {
    const taskId = parseId('taskId', parsed.args.taskId as string | undefined);
    const after = parseWholeNumber('--after', parsed.flags.after, { min: 0 }) ?? 0;
    const wait = parseWholeNumber('--wait', parsed.flags.wait, { min: 0, max: MAX_WAIT_SECONDS }) ?? 0;
    return run({ api: await ctx.api(), taskId, after, wait });
  },

  human(d, { io }) {
    for (const e of d.events) {
      const seq = io.style('dim', `#${e.seq}`);
      if (e.type === 'message') {
        const who = e.from === 'customer' ? 'You' : showUntrusted(e.name ?? e.from);
        io.out(`${seq} ${who}: ${showUntrusted(e.text)}\n`);
      } else if (e.type === 'request') {
        const what = e.kind === 'command' ? `run: ${showUntrusted(e.command)}` : `read file: ${showUntrusted(e.path)}`;
        io.out(`${seq} Request ${e.requestId} (${e.state}) to ${what}\n   reason: ${showUntrusted(e.reason)}\n`);
      } else if (e.type === 'status') {
        io.out(`${seq} Status: ${e.status}${e.queuePosition !== undefined ? ` (position ${e.queuePosition})` : ''}\n`);
      } else if (e.type === 'billing') {
        io.out(`${seq} Billing: ${e.creditsUsed} credits used, ${e.minutes} min\n`);
      } else if (e.type === 'screenshare') {
        io.out(`${seq} Screenshare offered: ${showUntrusted(e.url)}\n`);
      } else {
        io.out(`${seq} ${showUntrusted(e.text)}\n`);
      }
    }
    if (d.pendingRequests.length) {
      io.err(`Waiting for your answer: ${d.pendingRequests.map((r) => r.requestId).join(', ')}\n`);
    }
    io.err(`Next: codevf messages ${d.taskId} --after ${d.nextAfter} --wait 30\n`);
  },
});
