import type { ServerMessage } from '@codevf/protocol';
import { CodevfError } from '../core/errors';
import { activePrompt } from '../ui/sessionState';
import { createApprovalPolicy } from './approvalPolicy';
import { parseChatInput } from './chatInput';
import { sendChat } from './chatSender';
import { type CommandChoice, createCommandApprovals } from './commandApprovals';
import { createFileApprovals } from './fileApprovals';
import { askForHuman } from './humanRequest';
import { createQueueWait } from './queueWait';
import { createSessionCore, type LiveSessionOptions } from './sessionCore';
import { createSessionEnd } from './sessionEnd';
import { createSessionStart } from './sessionStart';

export type { LiveSessionOptions, SessionOutcome } from './sessionCore';

/**
 * The live session's behaviour, separate from how it is drawn: it owns the socket, runs
 * approved work through the safety layer, and turns everything into reducer actions. The
 * Ink tree renders the store and calls the methods below; nothing else touches the session.
 * Each flow lives in its own module; this one routes server events to them.
 */
export function createLiveSession(options: LiveSessionOptions) {
  const core = createSessionCore(options);
  const { dispatch, state } = core;
  const commands = createCommandApprovals(core, options.policy ?? createApprovalPolicy());
  const files = createFileApprovals(core);
  const end = createSessionEnd(core);
  const queue = createQueueWait(core, end.cancelWhileQueued);
  const starting = createSessionStart(core, { onQueued: queue.arm, onFrame, onEndedBefore: end.showEndedBefore });

  function onFrame(f: ServerMessage) {
    const before = state();
    dispatch({ type: 'frame', frame: f, now: core.now() });
    const after = state();
    switch (f.type) {
      case 'task_status': {
        const p = f.payload;
        if (p.status === 'queued' && before.status !== 'queued') queue.arm();
        if (p.status !== 'queued') queue.disarm();
        break;
      }
      case 'engineer_connected':
        queue.disarm();
        break;
      case 'request_command':
        void commands.onRequest(f.payload.requestId, before);
        break;
      case 'request_file':
        void files.check(f.payload.requestId);
        break;
      case 'session_end':
        queue.disarm();
        end.onSessionEnd();
        break;
    }
    if (f.seq !== undefined && before.lastSeq < after.replayUntil && after.lastSeq >= after.replayUntil) {
      commands.settleInterrupted();
    }
  }

  /** Leaves now with exit 130; the task stays open on the server unless it ended. */
  function interrupted(open: boolean) {
    const taskId = state().taskId;
    const error = new CodevfError('E_CANCELLED', 'Interrupted.', {
      exitCode: 130,
      hint:
        open && taskId ? `The task is still open: codevf fix --resume ${taskId}` : 'Run the command again when ready.',
    });
    core.finish({ exitCode: 130, error });
  }

  // ---- the methods the UI calls ---------------------------------------------------------

  return {
    store: core.store,
    done: core.done,
    /**
     * Creates (or resumes) the task; resolves once it exists and its socket is opening, or with
     * the error that ended the start (a refused task: no credits, an unknown id to resume).
     */
    start(): Promise<CodevfError | null> {
      if (options.description || options.resumeTaskId) return starting.begin(options.description);
      return Promise.resolve(null);
    },
    submitIssue(text: string) {
      const description = text.trim();
      if (!description || state().phase !== 'askIssue') return;
      dispatch({ type: 'issueSubmitted' });
      void starting.begin(description);
    },
    setDraft(text: string) {
      dispatch({ type: 'draft', text });
    },
    /** A line typed in the chat: a message, or `/human` (see chatInput.ts). */
    sendChat(text: string) {
      const input = parseChatInput(text);
      if (input.kind === 'chat') sendChat(core, input.text);
      else if (input.kind === 'human') askForHuman(core, input.reason);
      else dispatch({ type: 'notice', text: input.message, tone: 'warn' });
    },
    decideCommand(requestId: string, choice: CommandChoice) {
      void commands.decide(requestId, choice);
    },
    decideFile(requestId: string, approved: boolean) {
      void files.decide(requestId, approved);
    },
    setConfirmDraft(text: string) {
      dispatch({ type: 'confirmDraft', text });
    },
    submitConfirm(requestId: string) {
      files.submitConfirm(requestId);
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
      queue.answer(keepWaiting);
    },
    /** Ctrl+C: asks first while live; a second Ctrl+C means yes; elsewhere it leaves. */
    interrupt() {
      const phase = state().phase;
      if (phase === 'live') dispatch({ type: 'ctrlC' });
      else if (phase === 'confirmExit') void end.endSession();
      else if (phase === 'rating' || phase === 'feedback' || phase === 'done') end.leave();
      else interrupted(true);
    },
    /** Leaves at once (SIGTERM): nothing is ended on the server, so the task can be resumed. */
    abort() {
      interrupted(state().status !== 'ended');
    },
    confirmExit(yes: boolean) {
      if (state().phase !== 'confirmExit') return;
      if (yes) void end.endSession();
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
      void end.submitRating();
    },
    skipRating() {
      end.leave();
    },
    /** For tests and the benchmark: the live socket client. */
    get client() {
      return core.client;
    },
    activePrompt: () => activePrompt(state()),
  };
}

export type LiveSession = ReturnType<typeof createLiveSession>;
