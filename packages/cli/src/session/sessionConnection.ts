import {
  type Frame,
  isServerMessageType,
  MAX_FILE_FRAME_BYTES,
  maxFrameBytes,
  parseServerPayload,
  type ServerMessage,
} from '@codevf/protocol';
import {
  type ClientMessages,
  createLiveClient,
  type LiveClient,
  type LiveClientOptions,
  type LiveClientState,
} from '@codevf/protocol/client';
import { CodevfError } from '../core/errors';
import { wsTransport } from './wsTransport';

export type ConnectionState = LiveClientState<CodevfError>;

export type SessionClient = LiveClient<ServerMessage, CodevfError, ClientMessages>;

/** The shared client's options the CLI sets per session (the transport and checks are fixed here). */
export type SessionClientOptions = Pick<
  LiveClientOptions<ServerMessage, CodevfError>,
  | 'url'
  | 'refreshAccessToken'
  | 'lastSeq'
  | 'maxReconnectAttempts'
  | 'backoff'
  | 'heartbeatMs'
  | 'handshakeTimeoutMs'
  | 'maxInFlight'
> & { accessToken: () => Promise<string> | string };

/**
 * The CLI's live-session client: the shared client over the `ws` package, with payloads
 * checked against the protocol's schemas and failures as CodevfErrors (so E_UNREACHABLE
 * exits with 5).
 */
export function createSessionClient(options: SessionClientOptions): SessionClient {
  return createLiveClient<ServerMessage, CodevfError, ClientMessages>({
    ...options,
    transport: wsTransport({
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      // Accept frames somewhat larger than the contract's limit; the server is the one that
      // enforces it, and refusing a replayed event here would lose it.
      maxPayload: MAX_FILE_FRAME_BYTES + 64 * 1024,
    }),
    maxFrameBytes,
    acceptFrame: typedFrame,
    createError: (code, message, cause) =>
      cause instanceof CodevfError ? cause : new CodevfError(code, message, cause === undefined ? {} : { cause }),
  });
}

/** The frame with its payload checked against its type's schema, or null. */
function typedFrame(f: Frame): ServerMessage | null {
  if (!isServerMessageType(f.type)) return null;
  const parsed = parseServerPayload(f.type, f.payload);
  return parsed.success ? ({ ...f, type: f.type, payload: parsed.data } as ServerMessage) : null;
}
