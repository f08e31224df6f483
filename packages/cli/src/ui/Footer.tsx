import { Box, Text } from 'ink';
import { HUMAN_HINT, showsHumanHint } from './screenText';
import type { SessionState } from './sessionState';
import { Untrusted } from './Untrusted';

/** Bottom line: what the session has cost so far and what is left; plus the latest notice. */
export function Footer({ state }: { state: SessionState }) {
  const b = state.billing;
  const max = state.created?.maxCredits;
  const tone = state.notice?.tone === 'error' ? 'red' : state.notice?.tone === 'warn' ? 'yellow' : 'gray';
  return (
    <Box flexDirection="column" paddingX={1}>
      {state.notice && (
        <Text color={tone}>
          <Untrusted text={state.notice.text} />
        </Text>
      )}
      {showsHumanHint(state) && <Text color="cyan">{HUMAN_HINT}</Text>}
      <Text>
        Credits used: {b ? b.creditsUsed : 0}
        {max ? ` of at most ${max}` : ''}
        {b ? <Text color={b.lowBalance ? 'yellow' : undefined}> · Balance: {b.balance}</Text> : null}
        {state.taskId ? <Text dimColor> · task {state.taskId}</Text> : null}
      </Text>
    </Box>
  );
}
