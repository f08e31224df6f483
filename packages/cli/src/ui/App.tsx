import { Box, Static, Text, useInput, useStdout } from 'ink';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Store } from '../session/store';
import { LiveLog, LogLine } from './ChatLog';
import { CommandPrompt } from './CommandPrompt';
import { FilePrompt } from './FilePrompt';
import { Footer } from './Footer';
import { waitText } from './format';
import { Header } from './Header';
import { inputOwner } from './inputOwner';
import { type LinkRule, routeKey, type SessionActions } from './keyRouter';
import { ReconnectBanner } from './ReconnectBanner';
import { requestFits } from './requestLayout';
import { ScreensharePrompt } from './ScreensharePrompt';
import { SummaryPanel } from './SummaryPanel';
import { HUMAN_HINT, headerDetail, showsHumanHint } from './screenText';
import { liveEntries, newlyFinished, type WrittenLine } from './scrollback';
import { type Action, activePrompt, type Request, type SessionState } from './sessionState';
import { TextInput } from './TextInput';
import { usePromptArming } from './usePromptArming';
import { YesNoPrompt } from './YesNoPrompt';

/** What the screen needs from the session: its state and the customer's possible actions. */
export type SessionView = SessionActions & { store: Store<SessionState, Action> };

interface TerminalSize {
  rows: number;
  columns: number;
}

function useTerminalSize(): TerminalSize {
  // Ink types its stdout as any writable stream; a terminal's (a tty.WriteStream) has `rows`.
  // Not Ink's useWindowSize: off a terminal it spawns `tput` to guess a size.
  const stdout = useStdout().stdout as NodeJS.WriteStream;
  const read = useCallback(() => ({ rows: stdout.rows || 24, columns: stdout.columns || 80 }), [stdout]);
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, read]);
  return size;
}

/** Rows the terminal would need to show this request whole, or 0 when it fits. */
function missingRows(state: SessionState, request: Request, size: TerminalSize): number {
  const { fits, needRows } = requestFits(request, size, {
    notice: state.notice?.text,
    reconnecting: state.connection.kind === 'reconnecting',
    headerDetail: headerDetail(state),
    footerHint: showsHumanHint(state) ? HUMAN_HINT : undefined,
  });
  return fits ? 0 : needRows;
}

/**
 * The finished lines so far, append-only: <Static> writes each one once, as it is now, and
 * never again, so the terminal's scrollback holds the whole conversation.
 */
function useWrittenLines(state: SessionState): { keys: ReadonlySet<string>; lines: WrittenLine[] } {
  const written = useRef({ keys: new Set<string>(), lines: [] as WrittenLine[] });
  const fresh = newlyFinished(state, written.current.keys);
  if (fresh.length > 0) {
    for (const line of fresh) written.current.keys.add(line.key);
    // A new array: <Static> writes the items past the count it has already written.
    written.current.lines = [...written.current.lines, ...fresh];
  }
  return written.current;
}

interface PanelProps {
  state: SessionState;
  armed: (id: string) => boolean;
  size: TerminalSize;
  links: LinkRule;
}

function Panel({ state, armed, size, links }: PanelProps) {
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
  const tooSmall = prompt ? missingRows(state, prompt, size) : 0;
  if (prompt?.kind === 'command') {
    return (
      <CommandPrompt
        request={prompt}
        now={state.now}
        armed={armed(prompt.requestId)}
        columns={size.columns}
        tooSmall={tooSmall}
      />
    );
  }
  if (prompt?.kind === 'file') {
    return (
      <FilePrompt
        request={prompt}
        now={state.now}
        armed={armed(prompt.requestId)}
        tooSmall={tooSmall}
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
  if (state.screenshare) {
    return <ScreensharePrompt url={state.screenshare.url} allowLoopbackHttp={links.allowLoopbackHttp} />;
  }
  return null;
}

/** The live session screen (spec §4.3): header, chat, the current question, input, footer. */
export function App({
  session,
  armDelayMs = 400,
  links = {},
}: {
  session: SessionView;
  armDelayMs?: number;
  /** Which screenshare links [o] may open (http to loopback only against a development server). */
  links?: LinkRule;
}) {
  const state = useSyncExternalStore(session.store.subscribe, session.store.getState);
  const size = useTerminalSize();
  const rows = size.rows;
  const owner = inputOwner(state);
  // The reading delay starts when the request is on screen whole, not while "too small" is shown.
  const active = activePrompt(state);
  const shownWhole = active !== null && missingRows(state, active, size) === 0;
  const shownLongEnough = usePromptArming(shownWhole ? active.requestId : null, armDelayMs);
  const sizeNow = useRef(size);
  sizeNow.current = size;
  // A request's keys work once it has been on screen a moment, and only while all of it is.
  const armed = useCallback(
    (id: string) => {
      const r = session.store.getState().requests[id];
      return shownLongEnough(id) && r !== undefined && missingRows(session.store.getState(), r, sizeNow.current) === 0;
    },
    [session.store, shownLongEnough],
  );

  // The single reader of the keyboard. It looks at the store as it is *now*, not as last drawn.
  useInput((input, key) => routeKey(session.store.getState, input, key, session, armed, links));

  const written = useWrittenLines(state);
  const showChat = state.phase !== 'askIssue';
  const showInput = state.phase === 'live' || state.phase === 'confirmExit';
  const unfinished = showChat ? liveEntries(state, written.keys) : [];
  return (
    <>
      <Static items={written.lines}>
        {(line) => (
          <Box key={line.key} paddingX={1}>
            <LogLine entry={line.entry} request={line.request} />
          </Box>
        )}
      </Static>
      {/* The live part: never taller than the terminal less a line, or Ink would clear and redraw the screen. */}
      <Box flexDirection="column" maxHeight={Math.max(10, rows - 1)}>
        <Box flexShrink={0} flexDirection="column">
          <Header state={state} />
          <ReconnectBanner connection={state.connection} />
        </Box>
        {showChat && state.entries.length === 0 && (
          <Box paddingX={1} flexShrink={0}>
            <Text dimColor>Waiting for an engineer. Describe what you have tried while you wait.</Text>
          </Box>
        )}
        {unfinished.length > 0 && <LiveLog entries={unfinished} requests={state.requests} />}
        <Box flexShrink={0} flexDirection="column">
          <Panel state={state} armed={armed} size={size} links={links} />
        </Box>
        {showInput && (
          <Box paddingX={1} flexShrink={0}>
            <Text color={owner === 'chat' ? 'cyan' : 'gray'}>{'> '}</Text>
            <TextInput
              value={state.draft}
              isActive={owner === 'chat'}
              placeholder={
                owner !== 'chat'
                  ? 'Answer the question above first'
                  : state.aiLeads
                    ? 'Type a message and press Enter, or /human for a person'
                    : 'Type a message and press Enter'
              }
            />
          </Box>
        )}
        <Box flexShrink={0} flexDirection="column">
          <Footer state={state} />
        </Box>
      </Box>
    </>
  );
}
