import type { Task } from '@codevf/protocol';
import type { BackoffOptions } from '@codevf/protocol/client';
import type { ApiClient } from '../core/api';
import { CodevfError } from '../core/errors';
import { sessionReducer } from '../ui/sessionReducer';
import { type Action, initialSessionState, type SessionState, type Summary } from '../ui/sessionState';
import type { ApprovalPolicy } from './approvalPolicy';
import type { LocalWork } from './localWork';
import type { SessionClient } from './sessionConnection';
import { createStore, type Store } from './store';

export interface LiveSessionOptions {
  api: ApiClient;
  local: LocalWork;
  customerName: string;
  /** The issue text; absent with `resumeTaskId` or when the UI asks for it first. */
  description?: string;
  /** The task for `description`, when the caller has already asked the server for it (createTask). */
  createdTask?: Promise<Task>;
  resumeTaskId?: string;
  projectId?: string;
  /** `--mode`: who should help; absent, the server decides (AI first when it offers one). */
  mode?: Task['mode'];
  /** `--max-credits`: the most the new task may cost; the server ends the session there. */
  maxCredits?: number;
  maxReconnectAttempts?: number;
  backoff?: BackoffOptions;
  heartbeatMs?: number;
  /** How long to wait in the queue before asking "Continue waiting? (y/n)". */
  queuePromptAfterMs?: number;
  /** How long to wait for the server's `session_end` after asking to end. */
  endTimeoutMs?: number;
  now?: () => number;
  policy?: ApprovalPolicy;
}

export interface SessionOutcome {
  exitCode: number;
  taskId: string | null;
  error?: CodevfError;
  summary: Summary | null;
  /** Text printed after the UI is gone (it stays in the scrollback). */
  message?: string;
}

/** What every flow of a live session shares: options, the store, the socket and the way out. */
export interface SessionCore {
  readonly options: LiveSessionOptions;
  readonly store: Store<SessionState, Action>;
  dispatch(action: Action): void;
  state(): SessionState;
  now(): number;
  /** The current time as an ISO string, for entries in the transcript. */
  at(): string;
  system(text: string, tone?: 'info' | 'warn' | 'error' | 'ok'): void;
  /** The live socket: null before the task exists and once the session is over. */
  client: SessionClient | null;
  /** Aborted when the session finishes (stops a running command). */
  readonly signal: AbortSignal;
  /** Leaves: closes the socket after a short drain and resolves `done` (first call wins). */
  finish(outcome: Omit<SessionOutcome, 'taskId' | 'summary'>): void;
  /** Called once, when the session finishes (flows clear their timers here). */
  onFinish(cleanup: () => void): void;
  readonly done: Promise<SessionOutcome>;
}

export function createSessionCore(options: LiveSessionOptions): SessionCore {
  const now = options.now ?? Date.now;
  const store = createStore<SessionState, Action>(
    sessionReducer,
    initialSessionState({
      customerName: options.customerName,
      now: now(),
      askIssue: !options.description && !options.resumeTaskId,
    }),
  );
  const running = new AbortController();
  const cleanups: Array<() => void> = [];
  let finished = false;
  let resolveDone!: (o: SessionOutcome) => void;
  const done = new Promise<SessionOutcome>((r) => {
    resolveDone = r;
  });

  const core: SessionCore = {
    options,
    store,
    dispatch: store.dispatch,
    state: store.getState,
    now,
    at: () => new Date(now()).toISOString(),
    system: (text, tone = 'info') => store.dispatch({ type: 'system', text, tone, at: core.at() }),
    client: null,
    signal: running.signal,
    done,
    onFinish(cleanup) {
      cleanups.push(cleanup);
    },
    finish(outcome) {
      if (finished) return;
      finished = true;
      for (const c of cleanups) c();
      running.abort();
      const c = core.client;
      core.client = null;
      // Give messages in flight (a last chat line, a result) a moment to be acknowledged.
      void (c ? c.drain(2_000) : Promise.resolve(true)).then(() => {
        c?.close();
        if (store.getState().phase !== 'done') store.dispatch({ type: 'finish' });
        resolveDone({ taskId: store.getState().taskId, summary: store.getState().summary, ...outcome });
      });
    },
  };
  return core;
}

/** A failure as one line for the transcript. */
export function reasonOf(err: unknown): string {
  if (err instanceof CodevfError) return err.code === 'E_REQUEST_EXPIRED' ? 'The request expired.' : err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Anything thrown, as a CodevfError (unknown failures are internal). */
export function asCodevfError(err: unknown): CodevfError {
  return err instanceof CodevfError ? err : new CodevfError('E_INTERNAL', String(err));
}
