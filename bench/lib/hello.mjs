// The first frame a live-session client sends (docs/PROTOCOL.md: hello, then the server's welcome).
import { PROTOCOL_VERSION } from '../../packages/protocol/src/constants.ts';

/** A fresh session's hello: nothing seen yet, so the server replays from the start. */
export function helloFrame() {
  return JSON.stringify({
    type: 'hello',
    timestamp: new Date().toISOString(),
    payload: { protocolVersion: PROTOCOL_VERSION, lastSeq: 0 },
  });
}
