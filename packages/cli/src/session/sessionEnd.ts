import type { Task } from '@codevf/protocol';
import { formatBilledMinutes, formatSessionDuration } from '@codevf/protocol/shared';
import { CodevfError } from '../core/errors';
import type { SessionState, Summary } from '../ui/sessionState';
import { asCodevfError, reasonOf, type SessionCore } from './sessionCore';

/** Ending the session (by us, by the engineer, while still queued), the summary and the rating. */
export function createSessionEnd(core: SessionCore) {
  const { options, dispatch, state } = core;
  let endWaiter: ((s: Summary | null) => void) | null = null;
  /** We asked for the end ourselves; that flow decides how the CLI exits, not the echo. */
  let endingByUs = false;

  /** The server's `session_end` arrived (the state already holds its summary). */
  function onSessionEnd() {
    const after = state();
    if (endWaiter) {
      endWaiter(after.summary);
      endWaiter = null;
    }
    // The connection has nothing more to say; the summary and rating need only REST.
    const c = core.client;
    core.client = null;
    if (c) void c.drain(2_000).then(() => c.close());
    if (after.phase === 'done' && !endingByUs) {
      core.finish({ exitCode: 0, message: endMessage(after) });
    }
  }

  async function cancelWhileQueued() {
    endingByUs = true;
    dispatch({ type: 'endRequested' });
    const taskId = state().taskId;
    try {
      if (taskId)
        await options.api.post(`/v1/tasks/${encodeURIComponent(taskId)}/end`, {
          reason: 'No engineer available; cancelled by the customer.',
        });
    } catch (err) {
      const error = asCodevfError(err);
      core.finish({ exitCode: error.exitCode, error });
      return;
    }
    // After a hand-over the AI's minutes may have been billed: say what was used.
    const s = state();
    const message = s.view.handoff
      ? `Task ended while waiting for a human engineer. Credits used: ${s.billing?.creditsUsed ?? 0}.`
      : 'Task cancelled while waiting for an engineer. No credits were used.';
    const error = new CodevfError('E_CANCELLED', message, {
      hint: 'Run codevf fix again when you want to try again.',
    });
    core.finish({ exitCode: error.exitCode, error });
  }

  async function endSession() {
    const s = state();
    if (s.phase !== 'live' && s.phase !== 'confirmExit') return;
    if (s.status === 'queued' || !s.engineer) {
      await cancelWhileQueued();
      return;
    }
    endingByUs = true;
    dispatch({ type: 'endRequested' });
    const taskId = s.taskId as string;
    const waitForEnd = new Promise<Summary | null>((resolve) => {
      endWaiter = resolve;
      setTimeout(() => resolve(null), options.endTimeoutMs ?? 5_000).unref();
    });
    let task: Task | undefined;
    try {
      task = await options.api.post<Task>(`/v1/tasks/${encodeURIComponent(taskId)}/end`, {
        reason: 'Ended by the customer.',
      });
    } catch {
      // The REST call failed (offline?): ask over the socket, which queues until reconnected.
      core.client?.send('end_session', { reason: 'Ended by the customer.' });
    }
    const summary = await waitForEnd;
    if (!summary && task) {
      dispatch({ type: 'ended', summary: summaryFromTask(task) });
    } else if (!summary && !state().summary) {
      const error = new CodevfError('E_UNREACHABLE', `Could not confirm the end of task ${taskId} with the server.`, {
        hint: `Check it with: codevf fix --resume ${taskId}`,
      });
      core.finish({ exitCode: error.exitCode, error });
      return;
    }
    core.client?.close();
    if (state().phase === 'done') core.finish({ exitCode: 0, message: endMessage(state()) });
  }

  async function submitRating() {
    const s = state();
    if (s.phase !== 'feedback' || s.rating === null || !s.taskId) return;
    const feedback = s.feedbackDraft.trim();
    try {
      await options.api.post(`/v1/tasks/${encodeURIComponent(s.taskId)}/rating`, {
        rating: s.rating,
        ...(feedback ? { feedback: (await options.local.redactText(feedback)).text } : {}),
      });
      dispatch({ type: 'ratingSaved' });
      core.finish({ exitCode: 0, message: `${endMessage(state())}\nThanks for rating your session!` });
    } catch (err) {
      dispatch({ type: 'finish' });
      core.finish({
        exitCode: 0,
        message: `${endMessage(state())}\nWarning: the rating was not saved (${reasonOf(err)}).`,
      });
    }
  }

  /**
   * `--resume` of a task that ended meanwhile: the same summary as at a live end, from the
   * task's server figures, and the rating if it has none yet.
   */
  function showEndedBefore(task: Task) {
    dispatch({ type: 'ended', summary: summaryFromTask(task) });
    if (task.rating !== null || state().phase === 'done') {
      dispatch({ type: 'finish' });
      core.finish({ exitCode: 0, message: endMessage(state()) });
    }
  }

  /** Leaves after the end, with the summary line. */
  function leave() {
    core.finish({ exitCode: 0, message: endMessage(state()) });
  }

  return { onSessionEnd, cancelWhileQueued, endSession, submitRating, showEndedBefore, leave };
}

function summaryFromTask(task: Task): Summary {
  return {
    endedBy: task.endedBy ?? 'customer',
    reason: task.endReason ?? '',
    engineer: task.engineer?.name ?? null,
    durationSeconds: task.durationSeconds ?? 0,
    ...(task.billedMinutes !== undefined ? { billedMinutes: task.billedMinutes } : {}),
    creditsUsed: task.creditsUsed,
    ...(task.resolution ? { resolution: task.resolution } : {}),
  };
}

export function endMessage(s: SessionState): string {
  const sum = s.summary;
  if (!sum) return 'Session ended.';
  const who = sum.engineer ? ` with ${sum.engineer}` : '';
  const billed = sum.billedMinutes !== undefined ? ` (${formatBilledMinutes(sum.billedMinutes)} billed)` : '';
  return `Session ended${who}: ${formatSessionDuration(sum.durationSeconds)}${billed}, ${sum.creditsUsed} credit${sum.creditsUsed === 1 ? '' : 's'} used.`;
}
