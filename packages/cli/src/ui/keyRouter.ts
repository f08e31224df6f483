import { MAX_CHAT_CHARS } from '@codevf/protocol';
import { checkScreenshareUrl } from '@codevf/protocol/shared';
import type { LiveSession } from '../session/liveSession';
import { type Edit, editText, type KeyInfo } from './editText';
import { inputOwner } from './inputOwner';
import { activePrompt, type SessionState } from './sessionState';

export type SessionActions = Pick<
  LiveSession,
  | 'submitIssue'
  | 'setDraft'
  | 'sendChat'
  | 'decideCommand'
  | 'decideFile'
  | 'setConfirmDraft'
  | 'submitConfirm'
  | 'openScreenshare'
  | 'dismissScreenshare'
  | 'answerKeepWaiting'
  | 'interrupt'
  | 'confirmExit'
  | 'rate'
  | 'setFeedback'
  | 'submitFeedback'
  | 'skipRating'
>;

/**
 * Every key press goes through here, and here only: the owner is decided from the state at
 * the moment of the key, not from what was last drawn, so keys typed while the screen changes
 * (the tail of a chat line when a request pops up) can never answer the new question. A
 * request's keys also stay dead until it has been on screen for a moment (`armed`).
 */
export function routeKey(
  getState: () => SessionState,
  input: string,
  key: KeyInfo,
  session: SessionActions,
  armed: (requestId: string) => boolean,
  links: LinkRule = {},
): void {
  if (key.ctrl && input === 'c') {
    session.interrupt();
    return;
  }
  const owner = inputOwner(getState());
  // Keys can arrive several in one read. Text fields take the chunk as typed text; anywhere
  // else each key is applied on its own, against the state the previous one left.
  if (input.length > 1 && !TEXT_OWNERS.has(owner)) {
    for (const ch of input) routeOne(getState(), ch, {}, session, armed, links);
    return;
  }
  routeOne(getState(), input, key, session, armed, links);
}

/** Which links [o] may open: see checkScreenshareUrl. */
export interface LinkRule {
  allowLoopbackHttp?: boolean;
}

const TEXT_OWNERS = new Set(['issue', 'chat', 'feedback', 'sensitiveFile']);

function routeOne(
  state: SessionState,
  input: string,
  key: KeyInfo,
  session: SessionActions,
  armed: (id: string) => boolean,
  links: LinkRule,
): void {
  const k = input.toLowerCase();
  const yes = k === 'y';
  const no = k === 'n' || Boolean(key.escape);
  switch (inputOwner(state)) {
    case 'issue':
      text(editText(state.draft, input, key, 10_000), session.setDraft, session.submitIssue);
      return;
    case 'chat':
      text(editText(state.draft, input, key, MAX_CHAT_CHARS), session.setDraft, session.sendChat);
      return;
    case 'feedback':
      text(
        editText(state.feedbackDraft, input, key, 2_000),
        session.setFeedback,
        () => session.submitFeedback(),
        () => session.submitFeedback(),
      );
      return;
    case 'command': {
      const p = activePrompt(state);
      if (!p || !armed(p.requestId)) return;
      if (yes) session.decideCommand(p.requestId, 'once');
      else if (k === 'a') session.decideCommand(p.requestId, 'session');
      else if (no) session.decideCommand(p.requestId, 'deny');
      return;
    }
    case 'file': {
      const p = activePrompt(state);
      if (!p || !armed(p.requestId)) return;
      if (yes) session.decideFile(p.requestId, true);
      else if (no) session.decideFile(p.requestId, false);
      return;
    }
    case 'sensitiveFile': {
      const p = activePrompt(state);
      if (!p || !armed(p.requestId)) return;
      text(
        editText(state.confirmDraft, input, key, 4_096),
        session.setConfirmDraft,
        () => session.submitConfirm(p.requestId),
        () => session.decideFile(p.requestId, false),
      );
      return;
    }
    case 'screenshare':
      // A refused link has no [o]: it is never opened, not even by a key typed ahead.
      if (k === 'o' && state.screenshare && checkScreenshareUrl(state.screenshare.url, links).ok) {
        void session.openScreenshare();
      } else if (key.escape || key.return) session.dismissScreenshare();
      return;
    case 'keepWaiting':
      if (yes) session.answerKeepWaiting(true);
      else if (no) session.answerKeepWaiting(false);
      return;
    case 'confirmExit':
      if (yes) session.confirmExit(true);
      else if (no) session.confirmExit(false);
      return;
    case 'rating':
      if (/^[1-5]$/.test(input)) session.rate(Number(input));
      else if (key.escape) session.skipRating();
      return;
    case 'none':
      return;
  }
}

function text(edit: Edit, change: (v: string) => void, submit: (v: string) => void, onEscape?: () => void): void {
  if (edit.kind === 'change') change(edit.value);
  else if (edit.kind === 'submit') {
    change(edit.value);
    submit(edit.value);
  } else if (edit.kind === 'escape') onEscape?.();
}
