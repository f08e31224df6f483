import { PROTOCOL_VERSION } from '../constants';
import { type ErrorCode, isErrorCode } from '../errors';
import { type Frame, readFrame } from '../frame';
import { finalCloseError } from '../shared/closeCodes';
import { type BackoffOptions, createBackoff } from './backoff';
import { type Clock, systemClock, unref } from './clock';
import { createOutbox } from './outbox';
import { unansweredError, upgradeRefusal } from './refusals';
import type { OpenTransport, Transport } from './transport';

export type LiveClientState<E> =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'reconnecting'; attempt: number; maxAttempts: number; delayMs: number; reason: string }
  | { kind: 'closed' }
  | { kind: 'failed'; error: E };

export interface LiveClientOptions<F extends Frame, E extends Error> {
  /** `ws(s)://host/v1/tasks/:id/ws`. */
  url: string;
  transport: OpenTransport;
  /** A bearer token for transports that can send one; absent where a cookie authenticates. */
  accessToken?: () => Promise<string> | string;
  /** Called once when the server refuses the token; the next attempt asks `accessToken` again. */
  refreshAccessToken?: () => Promise<unknown>;
  /** Highest seq already seen (resume). Events at or below it are never delivered again. */
  lastSeq?: number;
  /** Consecutive failed attempts before giving up with E_UNREACHABLE. */
  maxReconnectAttempts?: number;
  backoff?: BackoffOptions;
  /** Ping interval (transports that can ping); a peer silent for two intervals is treated as gone. */
  heartbeatMs?: number;
  /** How long an attempt may take from opening to `welcome` before it is dropped and retried. */
  handshakeTimeoutMs?: number;
  /** Most messages on the wire and not yet acknowledged (see createOutbox). */
  maxInFlight?: number;
  /** The size limit of a frame of `type`; a bigger one is refused here with E_TOO_LARGE. */
  maxFrameBytes?: (type: string) => number;
  /** Checks a frame's payload against its type; null drops the frame. Default: the envelope as it is. */
  acceptFrame?: (frame: Frame) => F | null;
  /** Builds the error sends reject with and the client fails with; `cause` is what was thrown, if anything. */
  createError: (code: ErrorCode, message: string, cause?: unknown) => E;
  /** Asked before each reconnect; false gives up with E_FORBIDDEN (access was revoked). */
  beforeReconnect?: () => Promise<boolean>;
  newId?: () => string;
  clock?: Clock;
}

export interface SentMessage {
  id: string;
  /** Resolves with the seq the server stored it under (null for unpersisted frames). */
  acked: Promise<number | null>;
}

export interface ServerError {
  code: ErrorCode;
  message: string;
}

type Listener<T> = (value: T) => void;

/** After an E_RATE_LIMITED answer, how long before the message goes again. */
const RATE_LIMIT_RETRY_MS = 250;

/**
 * One participant's end of a live session socket (PROTOCOL.md §3), for the CLI and the
 * console alike. It hides disconnects from the rest of the program: every message sent gets a
 * unique `id` and stays in an outbox until the server acknowledges it; after a reconnect the
 * client says `hello {lastSeq}` and re-sends the outbox with the original ids, so the server
 * stores each message once and the client sees each persisted event once, in seq order.
 */
export function createLiveClient<
  F extends Frame = Frame,
  E extends Error = Error,
  M extends Record<string, object> = Record<string, Record<string, unknown>>,
>(options: LiveClientOptions<F, E>) {
  const clock = options.clock ?? systemClock;
  const maxAttempts = options.maxReconnectAttempts ?? 8;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const maxInFlight = options.maxInFlight ?? 64;
  const backoff = createBackoff(options.backoff);
  const newId = options.newId ?? randomId;
  const frameListeners = new Set<Listener<F>>();
  const stateListeners = new Set<Listener<LiveClientState<E>>>();
  const ackListeners = new Set<Listener<{ id: string; seq: number | null }>>();
  const errorListeners = new Set<Listener<ServerError>>();
  const outbox = createOutbox(clock, maxInFlight);

  let lastSeq = options.lastSeq ?? 0;
  let transport: Transport | null = null;
  /** Ends the current attempt (stops its timers, ignores its events); set while one is open. */
  let endAttempt: (() => void) | null = null;
  let welcomed = false;
  /** The session ended (`session_end`, or a welcome saying so): a close is final, not a drop. */
  let ended = false;
  let attempt = 0;
  let refreshedThisRound = false;
  let stopped = false;
  let everConnected = false;
  let retryTimer: unknown;
  let pumpTimer: unknown;
  let state: LiveClientState<E> = { kind: 'connecting' };

  const error = (code: ErrorCode, message: string, cause?: unknown) => options.createError(code, message, cause);

  function setState(next: LiveClientState<E>) {
    state = next;
    for (const l of stateListeners) l(next);
  }

  function emitFrame(f: F) {
    for (const l of frameListeners) l(f);
  }

  function dropTransport(how: 'close' | 'terminate') {
    const t = transport;
    transport = null;
    welcomed = false;
    endAttempt?.();
    endAttempt = null;
    if (!t) return;
    if (how === 'close') t.close(1000, 'bye');
    else t.terminate();
  }

  function stop(next: LiveClientState<E>, reason: E) {
    if (stopped) return;
    stopped = true;
    clock.clearTimeout(retryTimer);
    clock.clearTimeout(pumpTimer);
    dropTransport(next.kind === 'closed' ? 'close' : 'terminate');
    outbox.refuseAll(reason);
    setState(next);
  }

  function fail(err: E) {
    stop({ kind: 'failed', error: err }, err);
  }

  function pump() {
    const t = transport;
    if (welcomed && t) outbox.pump((text) => t.send(text));
  }

  /** The current attempt is over: reconnect, or stay closed when the session has ended. */
  function lost(reason: string) {
    dropTransport('terminate');
    if (stopped) return;
    if (ended) {
      stop({ kind: 'closed' }, error('E_CONFLICT', 'The session has ended.'));
      return;
    }
    attempt += 1;
    if (attempt > maxAttempts) {
      fail(
        error(
          'E_UNREACHABLE',
          everConnected
            ? `Lost the connection to the CodeVF server and could not reconnect after ${maxAttempts} attempts (${reason}).`
            : `Could not connect to the CodeVF server after ${maxAttempts} attempts (${reason}).`,
        ),
      );
      return;
    }
    const delayMs = backoff.delay(attempt);
    setState({ kind: 'reconnecting', attempt, maxAttempts, delayMs, reason });
    retryTimer = clock.setTimeout(() => void reconnect(), delayMs);
  }

  async function reconnect() {
    if (stopped) return;
    if (options.beforeReconnect) {
      let ok = true;
      try {
        ok = await options.beforeReconnect();
      } catch {
        // Cannot tell (the server is down, say): keep trying.
      }
      if (stopped) return;
      if (!ok) {
        fail(error('E_FORBIDDEN', 'You no longer have access to this session.'));
        return;
      }
    }
    await open();
  }

  async function open() {
    if (stopped) return;
    let token: string | undefined;
    try {
      token = await options.accessToken?.();
    } catch (err) {
      fail(error('E_NOT_LOGGED_IN', String(err), err));
      return;
    }
    if (stopped) return;
    let current = true;
    let alive = true;
    let heartbeat: unknown;
    // Drops an attempt that is not welcomed in time (after the welcome it does nothing).
    const handshake = clock.setTimeout(() => {
      if (current && !welcomed) lost('no welcome from the server');
    }, handshakeTimeoutMs);
    unref(handshake);
    const beat = () => {
      heartbeat = clock.setTimeout(() => {
        if (!current || !t.ping) return;
        if (!alive) {
          lost('no answer to heartbeat');
          return;
        }
        alive = false;
        t.ping();
        beat();
      }, heartbeatMs);
      unref(heartbeat);
    };
    endAttempt = () => {
      current = false;
      clock.clearTimeout(handshake);
      clock.clearTimeout(heartbeat);
    };
    let t: Transport;
    try {
      t = options.transport(
        options.url,
        {
          onOpen() {
            if (!current) return;
            t.send(JSON.stringify(frameOf('hello', { protocolVersion: PROTOCOL_VERSION, lastSeq })));
            if (t.ping) beat();
          },
          onMessage(text) {
            if (!current) return;
            alive = true;
            onMessage(text);
          },
          onAlive() {
            alive = true;
          },
          onClose(code, reason) {
            if (!current) return;
            const final = finalCloseError(code);
            if (final) fail(error(final, reason || `The server closed the connection (${code}).`));
            else lost(`closed (${code}${reason ? ` ${reason}` : ''})`);
          },
          onRefused(status, code) {
            if (!current) return;
            dropTransport('terminate');
            refused(status, code);
          },
        },
        token === undefined ? {} : { token },
      );
    } catch (err) {
      endAttempt();
      lost(err instanceof Error ? err.message : 'could not open a connection');
      return;
    }
    if (current) transport = t;
  }

  function refused(status: number, code: ErrorCode | null) {
    const verdict = upgradeRefusal(status, code, !!options.refreshAccessToken && !refreshedThisRound);
    if (verdict.do === 'refresh') {
      refreshedThisRound = true;
      options.refreshAccessToken?.().then(
        () => void open(),
        (err) => fail(error('E_UNAUTHORIZED', 'The login was rejected.', err)),
      );
    } else if (verdict.do === 'fail') {
      fail(
        error(
          verdict.code,
          status === 401 ? 'The server rejected the login.' : `The server refused the session (HTTP ${status}).`,
        ),
      );
    } else lost(`HTTP ${status}`);
  }

  function onMessage(text: string) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    const envelope = readFrame(raw);
    if (!envelope.ok) return;
    const f = options.acceptFrame ? options.acceptFrame(envelope.frame) : (envelope.frame as F);
    if (!f) return;
    const p = f.payload;
    switch (f.type) {
      case 'welcome': {
        welcomed = true;
        everConnected = true;
        attempt = 0;
        refreshedThisRound = false;
        if (p.status === 'ended') ended = true;
        setState({ kind: 'connected' });
        emitFrame(f);
        // Re-send everything not yet acknowledged, in the order it was first sent, with the
        // original ids: the server answers a known id with its original ack.
        outbox.resendAll();
        pump();
        return;
      }
      case 'ack': {
        if (typeof p.id !== 'string') return;
        const seq = typeof p.seq === 'number' ? p.seq : null;
        outbox.acknowledge(p.id, seq);
        for (const l of ackListeners) l({ id: p.id, seq });
        pump();
        return;
      }
      case 'error': {
        const code = isErrorCode(p.code) ? p.code : 'E_INTERNAL';
        const message = typeof p.message === 'string' ? p.message : 'The server refused the message.';
        const id = typeof p.id === 'string' ? p.id : undefined;
        const ours = id !== undefined && outbox.has(id);
        if (ours && code === 'E_RATE_LIMITED' && outbox.resend(id)) {
          // Not stored: send it again in a moment (the window normally prevents this).
          clock.clearTimeout(pumpTimer);
          pumpTimer = clock.setTimeout(pump, RATE_LIMIT_RETRY_MS);
          return;
        }
        emitFrame(f);
        if (ours) {
          outbox.refuse(id, error(code, message));
          pump();
          return;
        }
        serverError(code, message);
        return;
      }
      default: {
        if (f.seq !== undefined) {
          if (f.seq <= lastSeq) return; // already delivered before a reconnect
          lastSeq = f.seq;
        }
        if (f.type === 'session_end') ended = true;
        emitFrame(f);
      }
    }
  }

  /** An error that answers none of our messages. */
  function serverError(code: ErrorCode, message: string) {
    const verdict = unansweredError(code, welcomed, !!options.refreshAccessToken);
    if (verdict.do === 'retry') lost(message);
    else if (verdict.do === 'fail') fail(error(verdict.code, message));
    else if (verdict.do === 'relay') for (const l of errorListeners) l({ code, message });
  }

  function frameOf(type: string, payload: object, id?: string) {
    return { type, timestamp: new Date(clock.now()).toISOString(), payload, ...(id ? { id } : {}) };
  }

  return {
    /** Opens the connection; failures are reported through `onState` ({kind: 'failed'}). */
    start() {
      setState({ kind: 'connecting' });
      void open();
    },

    send<T extends keyof M & string>(type: T, payload: M[T]): SentMessage {
      const id = newId();
      const text = JSON.stringify(frameOf(type, payload, id));
      let acked: Promise<number | null>;
      if (ended) {
        acked = Promise.reject(error('E_CONFLICT', 'The session has ended.'));
      } else if (stopped) {
        acked = Promise.reject(state.kind === 'failed' ? state.error : error('E_CANCELLED', 'The session is closed.'));
      } else if (options.maxFrameBytes && overLimit(text, options.maxFrameBytes(type))) {
        acked = Promise.reject(
          error('E_TOO_LARGE', `A ${type} frame is over the limit of ${options.maxFrameBytes(type)} bytes.`),
        );
      } else {
        acked = outbox.add(id, text);
        pump();
      }
      // A caller that only cares about ordering may ignore the result; never crash on it.
      acked.catch(() => {});
      return { id, acked };
    },

    onFrame(l: Listener<F>) {
      frameListeners.add(l);
      return () => frameListeners.delete(l);
    },
    onState(l: Listener<LiveClientState<E>>) {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    onAck(l: Listener<{ id: string; seq: number | null }>) {
      ackListeners.add(l);
      return () => ackListeners.delete(l);
    },
    /** Server errors that answer none of our messages and leave the session usable. */
    onServerError(l: Listener<ServerError>) {
      errorListeners.add(l);
      return () => errorListeners.delete(l);
    },

    get state() {
      return state;
    },
    get lastSeq() {
      return lastSeq;
    },
    /** Messages sent (or waiting to be sent) that the server has not acknowledged yet. */
    unackedCount() {
      return outbox.size;
    },

    /** Resolves true when every sent message is acknowledged, false after `timeoutMs`. */
    drain(timeoutMs: number): Promise<boolean> {
      return outbox.drain(timeoutMs);
    },

    /** Drops the connection now (as a network failure would) and reconnects; used by tests. */
    dropConnection() {
      if (transport) lost('dropped');
    },

    /** Closes for good: no reconnect; unacknowledged sends are rejected with E_CANCELLED. */
    close() {
      stop({ kind: 'closed' }, error('E_CANCELLED', 'The session is closed.'));
    },
  };
}

export type LiveClient<
  F extends Frame = Frame,
  E extends Error = Error,
  M extends Record<string, object> = Record<string, Record<string, unknown>>,
> = ReturnType<typeof createLiveClient<F, E, M>>;

const encoder = new TextEncoder();

/** Whether `text` takes more than `limit` bytes in UTF-8 (n UTF-16 units never take more than 3n). */
function overLimit(text: string, limit: number): boolean {
  return text.length * 3 > limit && encoder.encode(text).length > limit;
}

function randomId(): string {
  // getRandomValues works outside secure contexts too (randomUUID does not).
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
