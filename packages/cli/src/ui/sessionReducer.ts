import { applyFrame } from './serverFrame';
import { project, tail } from './sessionProjection';
import type { Action, SessionState } from './sessionState';
import { addSystem, decided, endWith, expireOverdue, onAck, syncPromptQueue, updateRequest } from './sessionUpdates';

/**
 * The live screen's reducer: server frames go to applyFrame (the protocol's shared fold);
 * everything else is the customer's own actions (typing, prompts, exit, rating) and the
 * progress of local work. After each action the screen's view is rebuilt (sessionProjection.ts).
 */
export function sessionReducer(state: SessionState, action: Action): SessionState {
  return syncPromptQueue(project(reduce(state, action)));
}

function reduce(state: SessionState, action: Action): SessionState {
  switch (action.type) {
    case 'frame':
      return applyFrame(state, action.frame, action.now);
    case 'connection':
      return { ...state, connection: action.state };
    case 'taskCreated': {
      const created: SessionState = {
        ...state,
        taskId: action.taskId,
        created: {
          status: action.status,
          queuePosition: action.queuePosition,
          estimatedWaitSeconds: action.estimatedWaitSeconds,
          ...(action.maxCredits ? { maxCredits: action.maxCredits } : {}),
        },
        phase: state.phase === 'starting' || state.phase === 'askIssue' ? 'live' : state.phase,
      };
      return action.modeNote
        ? addSystem(created, action.at, `Human engineers only for this task: ${action.modeNote}`, 'info')
        : created;
    }
    case 'aiInfo':
      return { ...state, aiInfo: action.info };
    case 'humanAsked':
      return addSystem({ ...state, draft: '', humanAsked: true }, action.at, 'Asking for a human engineer…', 'info');
    case 'humanAskFailed':
      return {
        ...state,
        humanAsked: false,
        notice: { text: `Could not ask for a human engineer: ${action.reason}`, tone: 'error' },
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
        localEntries: [
          ...state.localEntries,
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
            afterSeq: state.view.lastSeq,
          },
        ],
      };
    case 'ack':
      return onAck(state, action.id, action.seq);
    case 'sendFailed':
      return {
        ...state,
        localEntries: state.localEntries.map((e) =>
          e.kind === 'message' && e.localId === action.localId ? { ...e, pending: false } : e,
        ),
        notice: { text: `Message not delivered: ${action.reason}`, tone: 'error' },
      };
    case 'decided':
      return updateRequest(state, action.requestId, (r, local) => {
        if (r.status !== 'pending') return local;
        const status = decided(r, action.approved);
        if (!status) return local;
        return r.kind === 'command'
          ? { ...local, status, scope: action.scope, auto: action.auto }
          : { ...local, status };
      });
    case 'decisionRefused':
      return updateRequest(state, action.requestId, (_r, local) => ({
        ...local,
        status: 'expired',
        error: action.reason,
      }));
    case 'commandStarted':
      return updateRequest(state, action.requestId, (r, local) =>
        r.kind === 'command' ? { ...local, status: 'running', ranHere: true } : local,
      );
    case 'commandOutput':
      return updateRequest(state, action.requestId, (r, local) =>
        r.kind === 'command'
          ? {
              ...local,
              outputTail: tail((local.outputTail ?? '') + action.data),
              outputBytes: (local.outputBytes ?? 0) + Buffer.byteLength(action.data),
            }
          : local,
      );
    case 'commandFinished':
      return updateRequest(state, action.requestId, (r, local) =>
        r.kind !== 'command'
          ? local
          : {
              ...local,
              status: action.error ? 'failed' : 'completed',
              exitCode: action.exitCode,
              signal: action.signal,
              durationMs: action.durationMs,
              truncated: action.truncated,
              timedOut: action.timedOut,
              redactions: action.redactions,
              error: action.error,
            },
      );
    case 'commandChecked':
      return updateRequest(state, action.requestId, (r, local) =>
        r.kind === 'command' && r.status === 'checking' ? { ...local, status: 'pending' } : local,
      );
    case 'commandRefused':
      return updateRequest(state, action.requestId, (r, local) =>
        r.kind === 'command' && (r.status === 'checking' || r.status === 'pending')
          ? { ...local, status: 'refused', refusedReason: action.reason }
          : local,
      );
    case 'fileChecked':
      return updateRequest(state, action.requestId, (r, local) =>
        r.kind === 'file' && r.status === 'checking'
          ? {
              ...local,
              status: 'pending',
              size: action.size,
              sensitive: action.sensitive,
              sensitiveReason: action.sensitiveReason,
            }
          : local,
      );
    case 'fileRefused':
      return updateRequest(state, action.requestId, (r, local) =>
        r.kind === 'file' && (r.status === 'checking' || r.status === 'pending')
          ? { ...local, status: 'refused', refusedReason: action.reason }
          : local,
      );
    case 'fileSent':
      return updateRequest(state, action.requestId, (r, local) =>
        r.kind === 'file' ? { ...local, status: 'completed', size: action.size, redactions: action.redactions } : local,
      );
    case 'fileFailed':
      return updateRequest(state, action.requestId, (r, local) =>
        r.kind === 'file' ? { ...local, status: 'failed', error: action.reason } : local,
      );
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
