import { basename } from 'node:path';
import { MAX_CHAT_CHARS, type Payload, type Task, type TypedFrame } from '@codevf/protocol';
import type { ApiClient } from '../core/api';
import { CodevfError } from '../core/errors';
import {
  type Action,
  activePrompt,
  type CommandRequest,
  initialSessionState,
  type SessionState,
  type Summary,
  sessionReducer,
} from '../ui/sessionState';
import { type ApprovalPolicy, createApprovalPolicy } from './approvalPolicy';
import type { BackoffOptions } from './backoff';
import type { LocalWork } from './localWork';
import { createOutputSender } from './outputSender';
import { createSessionClient, type SessionClient, sessionUrl } from './sessionClient';
import { createStore } from './store';

export interface LiveSessionOptions {
  api: ApiClient;
  local: LocalWork;
  customerName: string;
  /** The issue text; absent with `resumeTaskId` or when the UI asks for it first. */
  description?: string;
  resumeTaskId?: string;
  projectId?: string;
  maxReconnectAttempts?: number;
  backoff?: BackoffOptions;
  heartbeatMs?: number;
  /** How long to wait in the queue before asking "Continue waiting? (y/n)". */
  queuePromptAfterMs?: number;
  /** How long to wait for the server's `session_end` after asking to end. */
  endTimeoutMs?: number;
  now?: () => number;
  policy?: ApprovalPolicy;
}

export interface SessionOutcome {
  exitCode: number;
  taskId: string | null;
  error?: CodevfError;
  summary: Summary | null;
  /** Text printed after the UI is gone (it stays in the scrollback). */
  message?: string;
}

export type CommandChoice = 'once' | 'session' | 'deny';

/**
 * The live session's behaviour, separate from how it is drawn: it owns the socket, runs
 * approved work through the safety layer, and turns everything into reducer actions. The
 * Ink tree renders the store and calls the methods below; nothing else touches the session.
 */
export function createLiveSession(options: LiveSessionOptions) {
  const now = options.now ?? Date.now;
  const policy = options.policy ?? createApprovalPolicy();
  const store = createStore<SessionState, Action>(
    sessionReducer,
    initialSessionState({
      customerName: options.customerName,
      now: now(),
      askIssue: !options.description && !options.resumeTaskId,
    }),
  );
  const dispatch = store.dispatch;
  const state = store.getState;
  const running = new AbortController();
  const inspected = new Set<string>();
  let client: SessionClient | null = null;
  let queueTimer: NodeJS.Timeout | undefined;
  let tick: NodeJS.Timeout | undefined;
  let endWaiter: ((s: Summary | null) => void) | null = null;
  /** We asked for the end ourselves; that flow decides how the CLI exits, not the echo. */
  let endingByUs = false;
  let finished = false;
  let resolveDone!: (o: SessionOutcome) => void;
  const done = new Promise<SessionOutcome>((r) => {
    resolveDone = r;
  });

  const at = () => new Date(now()).toISOString();
  const system = (text: string, tone: 'info' | 'warn' | 'error' | 'ok' = 'info') =>
    dispatch({ type: 'system', text, tone, at: at() });

  function finish(outcome: Omit<SessionOutcome, 'taskId' | 'summary'>) {
    if (finished) return;
    finished = true;
    clearTimeout(queueTimer);
    clearInterval(tick);
    running.abort();
    const c = client;
    client = null;
    // Give messages in flight (a last chat line, a result) a moment to be acknowledged.
    void (c ? c.drain(2_000) : Promise.resolve(true)).then(() => {
      c?.close();
      if (state().phase !== 'done') dispatch({ type: 'finish' });
      resolveDone({ taskId: state().taskId, summary: state().summary, ...outcome });
    });
  }

  // ---- starting -------------------------------------------------------------------------

  async function begin(description: string | undefined) {
    let task: Task;
    try {
      if (options.resumeTaskId) {
        task = await options.api.get<Task>(`/v1/tasks/${encodeURIComponent(options.resumeTaskId)}`);
        if (task.status === 'ended') {
          throw new CodevfError('E_CONFLICT', `Task ${task.id} has already ended.`, {
            hint: 'Start a new session: codevf fix "<issue>"',
          });
        }
      } else {
        task = await options.api.post<Task>('/v1/tasks', {
          description,
          mode: 'human',
          ...(options.projectId ? { projectId: options.projectId } : {}),
        });
      }
    } catch (err) {
      const error = err instanceof CodevfError ? err : new CodevfError('E_INTERNAL', String(err));
      finish({ exitCode: error.exitCode, error });
      return;
    }
    dispatch({
      type: 'taskCreated',
      taskId: task.id,
      status: task.status,
      queuePosition: task.queuePosition,
      estimatedWaitSeconds: task.estimatedWaitSeconds,
    });
    if (task.status === 'queued') armQueueTimer();
    connect(task.id);
  }

  function connect(taskId: string) {
    const c = createSessionClient({
      url: sessionUrl(options.api.baseUrl, taskId),
      accessToken: () => options.api.accessToken(),
      maxReconnectAttempts: options.maxReconnectAttempts,
      backoff: options.backoff,
      heartbeatMs: options.heartbeatMs,
    });
    client = c;
    c.onState((s) => {
      dispatch({ type: 'connection', state: s });
      if (s.kind === 'failed') onConnectionFailed(s.error);
    });
    c.onAck(({ id, seq }) => dispatch({ type: 'ack', id, seq }));
    c.onFrame((f) => onFrame(f));
    c.start();
    tick = setInterval(() => dispatch({ type: 'tick', now: now() }), 1_000);
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
    finish({ exitCode: wrapped.exitCode, error: wrapped });
  }

  // ---- events from the server -----------------------------------------------------------

  function onFrame(f: TypedFrame) {
    const before = state();
    dispatch({ type: 'frame', frame: f, now: now() });
    const after = state();
    switch (f.type) {
      case 'task_status': {
        const p = f.payload as Payload<'task_status'>;
        if (p.status === 'queued' && before.status !== 'queued') armQueueTimer();
        if (p.status !== 'queued') clearTimeout(queueTimer);
        break;
      }
      case 'engineer_connected':
        clearTimeout(queueTimer);
        break;
      case 'request_command': {
        const id = (f.payload as Payload<'request_command'>).requestId;
        const r = id ? after.requests[id] : undefined;
        if (
          r?.kind === 'command' &&
          r.status === 'pending' &&
          !before.requests[r.requestId] &&
          policy.isCommandAllowed(r.command)
        ) {
          void decideCommand(r.requestId, 'session', true);
        }
        break;
      }
      case 'request_file': {
        const id = (f.payload as Payload<'request_file'>).requestId;
        if (id) void checkFile(id);
        break;
      }
      case 'session_end': {
        clearTimeout(queueTimer);
        if (endWaiter) {
          endWaiter(after.summary);
          endWaiter = null;
        }
        // The connection has nothing more to say; the summary and rating need only REST.
        const c = client;
        client = null;
        if (c) void c.drain(2_000).then(() => c.close());
        if (after.phase === 'done' && !endingByUs) {
          finish({ exitCode: 0, message: endMessage(after) });
        }
        break;
      }
    }
    if (f.seq !== undefined && before.lastSeq < after.replayUntil && after.lastSeq >= after.replayUntil) {
      settleInterruptedWork();
    }
  }

  /**
   * After a restart, a command that was approved in the previous run but never reported a
   * result will not finish by itself: report it as interrupted so the engineer is not left
   * waiting. It is never run again without a new request and a new approval.
   */
  function settleInterruptedWork() {
    for (const r of Object.values(state().requests)) {
      if (r.kind === 'command' && (r.status === 'approved' || r.status === 'running') && !r.ranHere) {
        const outcome = {
          exitCode: null,
          signal: null,
          durationMs: 0,
          truncated: false,
          redactions: 0,
          error: 'The CodeVF CLI stopped before the command finished; it was not run again.',
        };
        client?.send('command_result', { requestId: r.requestId, ...outcome });
        dispatch({ type: 'commandFinished', requestId: r.requestId, ...outcome });
      }
    }
  }

  // ---- commands -------------------------------------------------------------------------

  async function decideCommand(requestId: string, choice: CommandChoice, auto = false) {
    const r = state().requests[requestId];
    if (r?.kind !== 'command' || r.status !== 'pending' || !client) return;
    const approved = choice !== 'deny';
    const scope = approved ? choice : undefined;
    if (choice === 'session') policy.allowCommandForSession(r.command);
    dispatch({ type: 'decided', requestId, approved, scope: scope as 'once' | 'session' | undefined, auto });
    if (auto) system(`Ran without asking (you allowed this exact command for the session): ${r.command}`, 'info');
    try {
      await client.send('approve_command', { requestId, approved, ...(scope ? { scope } : {}) }).acked;
    } catch (err) {
      // Fail closed: nothing runs unless the server accepted the approval.
      dispatch({ type: 'decisionRefused', requestId, reason: reasonOf(err) });
      return;
    }
    if (approved) await runCommand(r);
  }

  async function runCommand(r: CommandRequest) {
    const c = client;
    if (!c) return;
    dispatch({ type: 'commandStarted', requestId: r.requestId });
    const sender = createOutputSender((stream, data) => {
      c.send('command_output', { requestId: r.requestId, stream, data });
    });
    const outcome = await options.local.runCommand(
      r.command,
      (stream, data) => {
        sender.write(stream, data);
        dispatch({ type: 'commandOutput', requestId: r.requestId, data });
      },
      running.signal,
    );
    sender.end();
    c.send('command_result', {
      requestId: r.requestId,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      durationMs: Math.round(outcome.durationMs),
      truncated: outcome.truncated,
      redactions: outcome.redactions,
      ...(outcome.timedOut ? { timedOut: true } : {}),
      ...(outcome.error ? { error: outcome.error.slice(0, 1_000) } : {}),
    });
    dispatch({ type: 'commandFinished', requestId: r.requestId, ...outcome });
  }

  // ---- files ----------------------------------------------------------------------------

  async function checkFile(requestId: string) {
    if (inspected.has(requestId)) return;
    inspected.add(requestId);
    const r = state().requests[requestId];
    if (r?.kind !== 'file' || r.status !== 'checking') return;
    const check = await options.local.checkFile(r.path);
    if (state().requests[requestId]?.status !== 'checking') return;
    if (check.ok) {
      const { size, sensitive, sensitiveReason } = check;
      dispatch({ type: 'fileChecked', requestId, size, sensitive, sensitiveReason });
      return;
    }
    // Refused without asking: the engineer sees why; the customer sees it in the chat.
    dispatch({ type: 'fileRefused', requestId, reason: check.reason });
    client?.send('approve_file', { requestId, approved: false, refusedReason: check.reason.slice(0, 1_000) });
  }

  async function decideFile(requestId: string, approved: boolean) {
    const r = state().requests[requestId];
    if (r?.kind !== 'file' || r.status !== 'pending' || !client) return;
    const c = client;
    dispatch({ type: 'decided', requestId, approved });
    if (!approved) {
      c.send('approve_file', { requestId, approved: false });
      return;
    }
    // Read before saying yes: if the file changed into something we refuse, the engineer
    // gets a refusal with the reason instead of an approval followed by nothing.
    const read = await options.local.readFile(r.path);
    if (!read.ok) {
      dispatch({ type: 'fileFailed', requestId, reason: read.reason });
      c.send('approve_file', { requestId, approved: false, refusedReason: read.reason.slice(0, 1_000) });
      return;
    }
    try {
      await c.send('approve_file', { requestId, approved: true }).acked;
    } catch (err) {
      dispatch({ type: 'decisionRefused', requestId, reason: reasonOf(err) });
      return;
    }
    try {
      await c.send('file_upload', {
        requestId,
        path: read.path,
        size: read.size,
        sha256: read.sha256,
        encoding: 'utf8',
        content: read.content,
        redactions: read.redactions,
      }).acked;
      dispatch({ type: 'fileSent', requestId, size: read.size, redactions: read.redactions });
    } catch (err) {
      dispatch({ type: 'fileFailed', requestId, reason: reasonOf(err) });
    }
  }

  // ---- queue ----------------------------------------------------------------------------

  function armQueueTimer() {
    clearTimeout(queueTimer);
    const after = options.queuePromptAfterMs ?? 3 * 60_000;
    queueTimer = setTimeout(() => dispatch({ type: 'askKeepWaiting' }), after);
    queueTimer.unref();
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
      const error = err instanceof CodevfError ? err : new CodevfError('E_INTERNAL', String(err));
      finish({ exitCode: error.exitCode, error });
      return;
    }
    const error = new CodevfError(
      'E_CANCELLED',
      'Task cancelled while waiting for an engineer. No credits were used.',
      {
        hint: 'Run codevf fix again when you want to try again.',
      },
    );
    finish({ exitCode: error.exitCode, error });
  }

  // ---- ending ---------------------------------------------------------------------------

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
      client?.send('end_session', { reason: 'Ended by the customer.' });
    }
    const summary = await waitForEnd;
    if (!summary && task) {
      dispatch({ type: 'ended', summary: summaryFromTask(task) });
    } else if (!summary && !state().summary) {
      const error = new CodevfError('E_UNREACHABLE', `Could not confirm the end of task ${taskId} with the server.`, {
        hint: `Check it with: codevf fix --resume ${taskId}`,
      });
      finish({ exitCode: error.exitCode, error });
      return;
    }
    afterEnd();
  }

  function afterEnd() {
    client?.close();
    if (state().phase === 'done') finish({ exitCode: 0, message: endMessage(state()) });
  }

  async function submitRating() {
    const s = state();
    if (s.phase !== 'feedback' || s.rating === null || !s.taskId) return;
    const feedback = s.feedbackDraft.trim();
    try {
      await options.api.post(`/v1/tasks/${encodeURIComponent(s.taskId)}/rating`, {
        rating: s.rating,
        ...(feedback ? { feedback: options.local.redactText(feedback).text } : {}),
      });
      dispatch({ type: 'ratingSaved' });
      finish({ exitCode: 0, message: `${endMessage(state())}\nThanks for rating your session!` });
    } catch (err) {
      dispatch({ type: 'finish' });
      finish({ exitCode: 0, message: `${endMessage(state())}\nWarning: the rating was not saved (${reasonOf(err)}).` });
    }
  }

  // ---- the methods the UI calls ---------------------------------------------------------

  return {
    store,
    done,
    start() {
      if (options.description || options.resumeTaskId) void begin(options.description);
    },
    submitIssue(text: string) {
      const description = text.trim();
      if (!description || state().phase !== 'askIssue') return;
      dispatch({ type: 'issueSubmitted' });
      void begin(description);
    },
    setDraft(text: string) {
      dispatch({ type: 'draft', text });
    },
    sendChat(text: string) {
      const trimmed = text.trim();
      if (!trimmed || !client) return;
      if (trimmed.length > MAX_CHAT_CHARS) {
        dispatch({ type: 'notice', text: `Messages are limited to ${MAX_CHAT_CHARS} characters.`, tone: 'warn' });
        return;
      }
      const { text: safe, redactions } = options.local.redactText(trimmed);
      const sent = client.send('customer_message', { text: safe, ...(redactions ? { redactions } : {}) });
      dispatch({ type: 'chatSent', localId: sent.id, text: safe, redactions, at: at() });
      sent.acked.catch((err) => dispatch({ type: 'sendFailed', localId: sent.id, reason: reasonOf(err) }));
    },
    decideCommand(requestId: string, choice: CommandChoice) {
      void decideCommand(requestId, choice);
    },
    decideFile(requestId: string, approved: boolean) {
      void decideFile(requestId, approved);
    },
    setConfirmDraft(text: string) {
      dispatch({ type: 'confirmDraft', text });
    },
    /** A sensitive file is sent only when the customer typed its name (or its path) exactly. */
    submitConfirm(requestId: string) {
      const s = state();
      const r = s.requests[requestId];
      if (r?.kind !== 'file' || r.status !== 'pending') return;
      const typed = s.confirmDraft.trim();
      if (typed && (typed === basename(r.path) || typed === r.path)) void decideFile(requestId, true);
      else dispatch({ type: 'confirmMismatch' });
    },
    async openScreenshare() {
      const share = state().screenshare;
      if (!share) return;
      const ok = await options.local.openUrl(share.url);
      dispatch({ type: 'screenshareOpened' });
      if (!ok)
        dispatch({
          type: 'notice',
          text: `Could not open a browser. Open this link yourself: ${share.url}`,
          tone: 'warn',
        });
      dispatch({ type: 'screenshareDismissed' });
    },
    dismissScreenshare() {
      dispatch({ type: 'screenshareDismissed' });
    },
    answerKeepWaiting(keepWaiting: boolean) {
      if (!state().askKeepWaiting) return;
      if (keepWaiting) {
        dispatch({ type: 'keepWaiting' });
        armQueueTimer();
      } else void cancelWhileQueued();
    },
    /** Ctrl+C: asks first while live; a second Ctrl+C means yes; elsewhere it leaves. */
    interrupt() {
      const phase = state().phase;
      if (phase === 'live') dispatch({ type: 'ctrlC' });
      else if (phase === 'confirmExit') void endSession();
      else if (phase === 'rating' || phase === 'feedback' || phase === 'done') {
        finish({ exitCode: 0, message: endMessage(state()) });
      } else {
        const taskId = state().taskId;
        const error = new CodevfError('E_CANCELLED', 'Interrupted.', {
          exitCode: 130,
          hint: taskId ? `The task is still open: codevf fix --resume ${taskId}` : 'Run the command again when ready.',
        });
        finish({ exitCode: 130, error });
      }
    },
    /** Leaves at once (SIGTERM): nothing is ended on the server, so the task can be resumed. */
    abort() {
      const taskId = state().taskId;
      const open = taskId && state().status !== 'ended';
      const error = new CodevfError('E_CANCELLED', 'Interrupted.', {
        exitCode: 130,
        hint: open ? `The task is still open: codevf fix --resume ${taskId}` : 'Run the command again when ready.',
      });
      finish({ exitCode: 130, error });
    },
    confirmExit(yes: boolean) {
      if (state().phase !== 'confirmExit') return;
      if (yes) void endSession();
      else dispatch({ type: 'cancelExit' });
    },
    rate(rating: number) {
      if (state().phase !== 'rating' || !Number.isInteger(rating) || rating < 1 || rating > 5) return;
      dispatch({ type: 'rated', rating });
    },
    setFeedback(text: string) {
      dispatch({ type: 'feedbackDraft', text });
    },
    submitFeedback() {
      void submitRating();
    },
    skipRating() {
      finish({ exitCode: 0, message: endMessage(state()) });
    },
    /** For tests and the benchmark: the live socket client. */
    get client() {
      return client;
    },
    activePrompt: () => activePrompt(state()),
  };
}

export type LiveSession = ReturnType<typeof createLiveSession>;

function reasonOf(err: unknown): string {
  if (err instanceof CodevfError) return err.code === 'E_REQUEST_EXPIRED' ? 'The request expired.' : err.message;
  return err instanceof Error ? err.message : String(err);
}

function summaryFromTask(task: Task): Summary {
  const start = task.claimedAt ? Date.parse(task.claimedAt) : Number.NaN;
  const end = task.endedAt ? Date.parse(task.endedAt) : Number.NaN;
  return {
    endedBy: task.endedBy ?? 'customer',
    reason: task.endReason ?? '',
    engineer: task.engineer?.name ?? null,
    durationSeconds: Number.isNaN(start) || Number.isNaN(end) ? 0 : Math.max(0, Math.round((end - start) / 1000)),
    creditsUsed: task.creditsUsed,
  };
}

function endMessage(s: SessionState): string {
  const sum = s.summary;
  if (!sum) return 'Session ended.';
  const minutes = Math.max(0, Math.round(sum.durationSeconds / 60));
  const who = sum.engineer ? ` with ${sum.engineer}` : '';
  return `Session ended${who}: ${minutes} min, ${sum.creditsUsed} credit${sum.creditsUsed === 1 ? '' : 's'} used.`;
}
