import { foldFrame } from './frameFold';
import type { Action, SessionState } from './sessionState';
import {
  addSystem,
  decided,
  endWith,
  expireOverdue,
  onAck,
  tail,
  updateCommand,
  updateFile,
  updateRequest,
} from './sessionUpdates';

/**
 * The live screen's reducer: server frames go to the frame fold; everything else is the
 * customer's own actions (typing, prompts, exit, rating) and the progress of local work.
 */
export function sessionReducer(state: SessionState, action: Action): SessionState {
  switch (action.type) {
    case 'frame':
      return foldFrame(state, action.frame, action.now);
    case 'connection':
      return { ...state, connection: action.state };
    case 'taskCreated':
      return {
        ...state,
        taskId: action.taskId,
        status: action.status,
        phase: state.phase === 'starting' || state.phase === 'askIssue' ? 'live' : state.phase,
        queue:
          action.status === 'queued'
            ? { position: action.queuePosition, estimatedWaitSeconds: action.estimatedWaitSeconds }
            : state.queue,
      };
    case 'issueSubmitted':
      return { ...state, phase: 'starting', draft: '' };
    case 'draft':
      return { ...state, draft: action.text };
    case 'confirmDraft':
      return { ...state, confirmDraft: action.text, confirmMismatch: false };
    case 'confirmMismatch':
      return { ...state, confirmMismatch: true };
    case 'chatSent':
      return {
        ...state,
        draft: '',
        entries: [
          ...state.entries,
          {
            kind: 'message',
            key: `local:${action.localId}`,
            at: action.at,
            who: 'customer',
            name: 'You',
            text: action.text,
            redactions: action.redactions,
            localId: action.localId,
            pending: true,
          },
        ],
      };
    case 'ack':
      return onAck(state, action.id, action.seq);
    case 'sendFailed':
      return {
        ...state,
        entries: state.entries.map((e) =>
          e.kind === 'message' && e.localId === action.localId ? { ...e, pending: false } : e,
        ),
        notice: { text: `Message not delivered: ${action.reason}`, tone: 'error' },
      };
    case 'decided':
      return updateRequest(state, action.requestId, (r) => {
        if (r.status !== 'pending') return r;
        const status = decided(r, action.approved);
        if (!status) return r;
        return r.kind === 'command' ? { ...r, status, scope: action.scope, auto: action.auto } : { ...r, status };
      });
    case 'decisionRefused':
      return updateRequest(state, action.requestId, (r) =>
        r.kind === 'command'
          ? { ...r, status: 'expired', error: action.reason }
          : { ...r, status: 'expired', error: action.reason },
      );
    case 'commandStarted':
      return updateCommand(state, action.requestId, (r) => ({ ...r, status: 'running', ranHere: true }));
    case 'commandOutput':
      return updateCommand(state, action.requestId, (r) => ({
        ...r,
        outputTail: tail(r.outputTail + action.data),
        outputBytes: r.outputBytes + Buffer.byteLength(action.data),
      }));
    case 'commandFinished':
      return updateCommand(state, action.requestId, (r) => ({
        ...r,
        status: action.error ? 'failed' : 'completed',
        exitCode: action.exitCode,
        signal: action.signal,
        durationMs: action.durationMs,
        truncated: action.truncated,
        timedOut: action.timedOut,
        redactions: action.redactions,
        error: action.error,
      }));
    case 'fileChecked':
      return updateFile(state, action.requestId, (r) =>
        r.status === 'checking'
          ? {
              ...r,
              status: 'pending',
              size: action.size,
              sensitive: action.sensitive,
              sensitiveReason: action.sensitiveReason,
            }
          : r,
      );
    case 'fileRefused':
      return updateFile(state, action.requestId, (r) =>
        r.status === 'checking' || r.status === 'pending'
          ? { ...r, status: 'refused', refusedReason: action.reason }
          : r,
      );
    case 'fileSent':
      return updateFile(state, action.requestId, (r) => ({
        ...r,
        status: 'completed',
        size: action.size,
        redactions: action.redactions,
      }));
    case 'fileFailed':
      return updateFile(state, action.requestId, (r) => ({ ...r, status: 'failed', error: action.reason }));
    case 'screenshareOpened':
      return { ...state, screenshare: state.screenshare ? { ...state.screenshare, opened: true } : null };
    case 'screenshareDismissed':
      return { ...state, screenshare: null };
    case 'askKeepWaiting':
      return state.status === 'queued' ? { ...state, askKeepWaiting: true } : state;
    case 'keepWaiting':
      return { ...state, askKeepWaiting: false };
    case 'tick':
      return expireOverdue({ ...state, now: action.now });
    case 'ctrlC':
      if (state.phase === 'live') return { ...state, phase: 'confirmExit' };
      return state;
    case 'cancelExit':
      return state.phase === 'confirmExit' ? { ...state, phase: 'live' } : state;
    case 'endRequested':
      return { ...state, phase: 'ending', askKeepWaiting: false };
    case 'ended':
      return endWith(state, action.summary);
    case 'rated':
      return { ...state, rating: action.rating, phase: 'feedback' };
    case 'feedbackDraft':
      return { ...state, feedbackDraft: action.text };
    case 'ratingSaved':
      return { ...state, ratingSaved: true, phase: 'done' };
    case 'finish':
      return { ...state, phase: 'done' };
    case 'notice':
      return { ...state, notice: { text: action.text, tone: action.tone } };
    case 'system':
      return addSystem(state, action.at, action.text, action.tone);
  }
}
