import { render } from 'ink';
import type { LiveSession, SessionOutcome } from '../session/liveSession';
import { App } from './App';
import type { LinkRule } from './keyRouter';

export interface LiveUiStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/**
 * Draws the live session until it is over; the caller has started the session. This module (and
 * with it Ink and React) is loaded only by `codevf fix`, through a dynamic import.
 */
export async function runLiveUi(
  session: LiveSession,
  streams: LiveUiStreams,
  options: { armDelayMs?: number; links?: LinkRule } = {},
): Promise<SessionOutcome> {
  const instance = render(<App session={session} armDelayMs={options.armDelayMs} links={options.links} />, {
    stdin: streams.stdin,
    stdout: streams.stdout,
    stderr: streams.stderr,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  try {
    return await session.done;
  } finally {
    // Let the last state (summary, thanks) reach the screen before Ink lets go of it.
    await new Promise((r) => setTimeout(r, 50));
    instance.unmount();
    await instance.waitUntilExit().catch(() => {});
  }
}
