import { Box, Text, useInput, useStdout } from 'ink';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { Store } from '../session/store';
import { ChatLog } from './ChatLog';
import { CommandPrompt } from './CommandPrompt';
import { FilePrompt } from './FilePrompt';
import { Footer } from './Footer';
import { Header, waitText } from './Header';
import { inputOwner } from './inputOwner';
import { routeKey, type SessionActions } from './keyRouter';
import { ReconnectBanner } from './ReconnectBanner';
import { ScreensharePrompt } from './ScreensharePrompt';
import { SummaryPanel } from './SummaryPanel';
import { type Action, activePrompt, type SessionState } from './sessionState';
import { TextInput } from './TextInput';
import { usePromptArming } from './usePromptArming';
import { YesNoPrompt } from './YesNoPrompt';

/** What the screen needs from the session: its state and the customer's possible actions. */
export type SessionView = SessionActions & { store: Store<SessionState, Action> };

function useRows(): number {
  // Ink types its stdout as any writable stream; a terminal's (a tty.WriteStream) has `rows`.
  // Not Ink's useWindowSize: off a terminal it spawns `tput` to guess a size.
  const stdout = useStdout().stdout as NodeJS.WriteStream;
  const [rows, setRows] = useState(stdout.rows || 24);
  useEffect(() => {
    const onResize = () => setRows(stdout.rows || 24);
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return rows;
}

function Panel({ state, armed }: { state: SessionState; armed: (id: string) => boolean }) {
  if (state.phase === 'askIssue') {
    return (
      <Box flexDirection="column" paddingX={1}>
        <Text bold>What issue are you facing?</Text>
        <Box>
          <Text color="cyan">{'> '}</Text>
          <TextInput value={state.draft} isActive placeholder="e.g. users can't log in after the last deploy" />
        </Box>
      </Box>
    );
  }
  if (state.phase === 'rating' || state.phase === 'feedback' || (state.phase === 'done' && state.summary)) {
    return <SummaryPanel state={state} />;
  }
  if (state.phase === 'confirmExit') {
    return (
      <YesNoPrompt>
        <Text bold>End the session? (y/n)</Text>
        <Text dimColor>Billing stops when the session ends.</Text>
      </YesNoPrompt>
    );
  }
  if (state.phase === 'ending') return <Text color="yellow"> Ending the session…</Text>;
  const prompt = activePrompt(state);
  if (prompt?.kind === 'command')
    return <CommandPrompt request={prompt} now={state.now} armed={armed(prompt.requestId)} />;
  if (prompt?.kind === 'file') {
    return (
      <FilePrompt
        request={prompt}
        now={state.now}
        armed={armed(prompt.requestId)}
        typed={state.confirmDraft}
        mismatch={state.confirmMismatch}
      />
    );
  }
  if (state.askKeepWaiting) {
    const wait = state.queue?.estimatedWaitSeconds;
    return (
      <YesNoPrompt>
        <Text bold>No engineers available right now.</Text>
        <Text>Average wait time: {wait !== undefined ? waitText(wait) : 'unknown'}</Text>
        <Text bold>Continue waiting? (y/n)</Text>
      </YesNoPrompt>
    );
  }
  if (state.screenshare) return <ScreensharePrompt url={state.screenshare.url} />;
  return null;
}

/** The live session screen (spec §4.3): header, chat, the current question, input, footer. */
export function App({ session, armDelayMs = 400 }: { session: SessionView; armDelayMs?: number }) {
  const state = useSyncExternalStore(session.store.subscribe, session.store.getState);
  const rows = useRows();
  const owner = inputOwner(state);
  const armed = usePromptArming(activePrompt(state)?.requestId ?? null, armDelayMs);

  // The single reader of the keyboard. It looks at the store as it is *now*, not as last drawn.
  useInput((input, key) => routeKey(session.store.getState, input, key, session, armed));

  const showChat = state.phase !== 'askIssue';
  const showInput = state.phase === 'live' || state.phase === 'confirmExit';
  return (
    // One line short of the terminal: a frame as tall as the screen makes Ink clear and redraw it all.
    <Box flexDirection="column" height={Math.max(10, rows - 1)}>
      <Box flexShrink={0} flexDirection="column">
        <Header state={state} />
        <ReconnectBanner connection={state.connection} />
      </Box>
      {showChat ? <ChatLog state={state} /> : <Box flexGrow={1} />}
      <Box flexShrink={0} flexDirection="column">
        <Panel state={state} armed={armed} />
      </Box>
      {showInput && (
        <Box paddingX={1} flexShrink={0}>
          <Text color={owner === 'chat' ? 'cyan' : 'gray'}>{'> '}</Text>
          <TextInput
            value={state.draft}
            isActive={owner === 'chat'}
            placeholder={owner === 'chat' ? 'Type a message and press Enter' : 'Answer the question above first'}
          />
        </Box>
      )}
      <Box flexShrink={0} flexDirection="column">
        <Footer state={state} />
      </Box>
    </Box>
  );
}
