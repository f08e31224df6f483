import { formatBilledMinutes, formatSessionDuration } from '@codevf/protocol/shared';
import { Box, Text } from 'ink';
import type { SessionState } from './sessionState';
import { TextInput } from './TextInput';
import { Untrusted } from './Untrusted';

const WHO: Record<string, string> = {
  customer: 'You ended the session.',
  engineer: 'The engineer ended the session.',
  system: 'The session was ended by CodeVF.',
};

/** After the end: the spec's "Session Summary", then the rating and optional feedback. */
export function SummaryPanel({ state }: { state: SessionState }) {
  const s = state.summary;
  if (!s) return null;
  // The last helper's kind: an AI-only session is rated as the AI's.
  const byAi = state.engineer?.kind === 'ai';
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="green" paddingX={1}>
      <Text>
        {WHO[s.endedBy]}
        {s.reason && s.endedBy !== 'customer' ? (
          <>
            {' '}
            <Untrusted text={s.reason} />
          </>
        ) : null}
      </Text>
      <Text bold>Session Summary</Text>
      <Text>───────────────</Text>
      <Text>
        {byAi ? 'AI assistant' : 'Engineer'}: <Untrusted text={s.engineer ?? '—'} />
      </Text>
      {/* The server's figures, formatted as the console formats them. */}
      <Text>Time: {formatSessionDuration(s.durationSeconds)}</Text>
      {s.billedMinutes !== undefined && <Text>Billed: {formatBilledMinutes(s.billedMinutes)}</Text>}
      <Text>Credits Used: {s.creditsUsed}</Text>
      {s.resolution ? (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>Resolution (from the engineer):</Text>
          <Text>
            <Untrusted text={s.resolution} keepNewlines />
          </Text>
        </Box>
      ) : null}
      {state.phase === 'rating' && (
        <Text>
          {byAi ? 'Rate the AI assistant' : 'Rate engineer'} (1-5): <Text dimColor>(Esc to skip)</Text>
        </Text>
      )}
      {state.phase === 'feedback' && (
        <Box flexDirection="column">
          <Text>Rating: {'★'.repeat(state.rating ?? 0)}</Text>
          <Box>
            <Text>Feedback (optional, Enter to send): </Text>
            <TextInput value={state.feedbackDraft} isActive={state.phase === 'feedback'} />
          </Box>
        </Box>
      )}
      {state.phase === 'done' && state.ratingSaved && <Text color="green">Thanks for your rating!</Text>}
    </Box>
  );
}
