import { activePrompt, type SessionState } from './sessionState';

export type InputOwner =
  | 'issue'
  | 'chat'
  | 'command'
  | 'file'
  | 'sensitiveFile'
  | 'screenshare'
  | 'keepWaiting'
  | 'confirmExit'
  | 'rating'
  | 'feedback'
  | 'none';

/**
 * Exactly one part of the screen reads the keyboard at a time (Ctrl+C aside). Deciding it in
 * one pure function means two prompts can never both react to the same key — a stray "y"
 * typed into the chat must not approve a command that appeared a moment earlier.
 */
export function inputOwner(state: SessionState): InputOwner {
  switch (state.phase) {
    case 'askIssue':
      return 'issue';
    case 'confirmExit':
      return 'confirmExit';
    case 'rating':
      return 'rating';
    case 'feedback':
      return 'feedback';
    case 'starting':
    case 'ending':
    case 'done':
      return 'none';
    case 'live': {
      const prompt = activePrompt(state);
      if (prompt?.kind === 'command') return 'command';
      if (prompt?.kind === 'file') return prompt.sensitive ? 'sensitiveFile' : 'file';
      if (state.askKeepWaiting) return 'keepWaiting';
      if (state.screenshare) return 'screenshare';
      return 'chat';
    }
  }
}
