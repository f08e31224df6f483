import { AiInfo, type ServerMessage, type Task } from '@codevf/protocol';
import { liveSessionUrl } from '@codevf/protocol/client';
import { CodevfError } from '../core/errors';
import { createTask } from './createTask';
import { createSessionClient } from './sessionConnection';
import { asCodevfError, reasonOf, type SessionCore } from './sessionCore';

/**
 * Creating (or resuming) the task and keeping its socket: everything before the first
 * event, and what a lost connection means for the exit.
 */
export function createSessionStart(
  core: SessionCore,
  hooks: { onQueued(): void; onFrame(f: ServerMessage): void; onEndedBefore(task: Task): void },
) {
  const { options, dispatch, state } = core;
  let tick: NodeJS.Timeout | undefined;
  core.onFinish(() => clearInterval(tick));
  // Asked for by the command before this module was loaded (fix.ts); the first begin takes it.
  let createdTask = options.createdTask;

  /** Resolves with the error that ended the start (the session is then finished), or null. */
  async function begin(description: string | undefined): Promise<CodevfError | null> {
    // The AI's terms are only for the header; fetched beside the task, never waited for.
    void loadAiInfo();
    let task: Task;
    try {
      if (options.resumeTaskId) {
        task = await options.api.get<Task>(`/v1/tasks/${encodeURIComponent(options.resumeTaskId)}`);
      } else {
        const early = createdTask;
        createdTask = undefined;
        task = await (early ??
          createTask(options.api, {
            description,
            mode: options.mode,
            projectId: options.projectId,
            maxCredits: options.maxCredits,
          }));
      }
    } catch (err) {
      const error = asCodevfError(err);
      core.finish({ exitCode: error.exitCode, error });
      return error;
    }
    dispatch({
      type: 'taskCreated',
      taskId: task.id,
      status: task.status,
      queuePosition: task.queuePosition,
      estimatedWaitSeconds: task.estimatedWaitSeconds,
      maxCredits: task.maxCredits ?? undefined,
      // Said once, when the task is made (a resumed task said it then).
      modeNote: options.resumeTaskId ? null : task.modeNote,
      at: core.at(),
    });
    // Ended while we were away (the customer-gone end, the engineer): its summary, from the server.
    if (task.status === 'ended') {
      hooks.onEndedBefore(task);
      return null;
    }
    if (task.status === 'queued') hooks.onQueued();
    connect(task.id);
    return null;
  }

  async function loadAiInfo() {
    try {
      const info = await options.api.get('/v1/ai', { parse: (v) => AiInfo.parse(v) });
      dispatch({ type: 'aiInfo', info });
    } catch (err) {
      // A server from before the AI participant has no such endpoint: no AI, nothing to say.
      if (err instanceof CodevfError && err.code === 'E_NOT_FOUND') return;
      dispatch({ type: 'notice', text: `Could not read the server's AI terms: ${reasonOf(err)}`, tone: 'warn' });
    }
  }

  function connect(taskId: string) {
    const c = createSessionClient({
      url: liveSessionUrl(options.api.baseUrl, taskId),
      accessToken: () => options.api.accessToken(),
      maxReconnectAttempts: options.maxReconnectAttempts,
      backoff: options.backoff,
      heartbeatMs: options.heartbeatMs,
    });
    core.client = c;
    c.onState((s) => {
      dispatch({ type: 'connection', state: s });
      if (s.kind === 'failed') onConnectionFailed(s.error);
    });
    c.onAck(({ id, seq }) => dispatch({ type: 'ack', id, seq }));
    c.onFrame(hooks.onFrame);
    c.start();
    tick = setInterval(() => dispatch({ type: 'tick', now: core.now() }), 1_000);
    tick.unref();
  }

  function onConnectionFailed(error: CodevfError) {
    const taskId = state().taskId;
    const resumable =
      state().status !== 'ended' && taskId && (error.code === 'E_UNREACHABLE' || error.code === 'E_TIMEOUT');
    const wrapped = resumable
      ? new CodevfError(error.code, `${error.message} Task ${taskId} is still open.`, {
          hint: `Resume it with: codevf fix --resume ${taskId}`,
        })
      : error;
    core.finish({ exitCode: wrapped.exitCode, error: wrapped });
  }

  return { begin };
}
