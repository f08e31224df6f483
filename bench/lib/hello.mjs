// The first frame a live-session client sends (docs/PROTOCOL.md: hello, then the server's welcome).
import { PROTOCOL_VERSION } from '../../packages/protocol/src/constants.ts';

/** A session's hello: `lastSeq` is the last event seen (0 when fresh: the server replays all). */
export function helloFrame(lastSeq = 0) {
  return JSON.stringify({
    type: 'hello',
    timestamp: new Date().toISOString(),
    payload: { protocolVersion: PROTOCOL_VERSION, lastSeq },
  });
}
