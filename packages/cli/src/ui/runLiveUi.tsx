import { render } from 'ink';
import type { LiveSession, SessionOutcome } from '../session/liveSession';
import { App } from './App';
import { ringOnRequests } from './bell';
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
  options: { armDelayMs?: number; links?: LinkRule; bell?: boolean } = {},
): Promise<SessionOutcome> {
  // The bell goes straight to the terminal: it moves no cursor, so Ink's frame stays where it is.
  const stopBell = options.bell === false ? () => {} : ringOnRequests(session.store, (t) => streams.stdout.write(t));
  // Raw mode before the first frame, not in the effect after it: keys typed as soon as the
  // screen shows would otherwise wait in the terminal's line buffer (echoed over the screen) and
  // reach whatever question is up when the line is finally read.
  if (streams.stdin.isTTY) streams.stdin.setRawMode(true);
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
    stopBell();
    // Let the last state (summary, thanks) reach the screen before Ink lets go of it.
    await new Promise((r) => setTimeout(r, 50));
    instance.unmount();
    await instance.waitUntilExit().catch(() => {});
  }
}
