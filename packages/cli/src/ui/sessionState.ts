import type { AiInfo, ServerMessage } from '@codevf/protocol';
import { initialSessionView, type RequestState, type SessionView } from '@codevf/protocol/shared';
import type { CommandOutcome } from '../session/localWork';
import type { ConnectionState } from '../session/sessionConnection';

/**
 * Everything the live screen shows, as a pure function of what happened. What the server said
 * is the protocol's session view (`view`, folded by the shared foldEvent, see serverFrame.ts);
 * beside it the reducer keeps only what this machine knows: the customer's own actions (input,
 * prompts, exit, rating), messages not yet echoed, and the progress of local work on requests
 * (sessionReducer.ts). The chat log, the requests and the header's facts are built from both
 * after every action (sessionProjection.ts). No I/O here, so the whole session can be replayed
 * in a unit test without a terminal or a socket.
 */

export type Phase =
  | 'askIssue' // bare `codevf`: "What issue are you facing?"
  | 'starting' // creating the task / first connect
  | 'live'
  | 'confirmExit' // Ctrl+C pressed: "End the session? (y/n)"
  | 'ending' // waiting for the server to confirm the end
  | 'rating' // summary shown, asking 1–5
  | 'feedback' // optional feedback text
  | 'done';

export type Tone = 'info' | 'warn' | 'error' | 'ok';

export type Entry =
  | {
      kind: 'message';
      key: string;
      at: string;
      /** `guide`: an engineer guiding the AI; their line is addressed to the AI (vibe mode). */
      who: 'engineer' | 'customer' | 'guide';
      name: string;
      /** For engineer lines: whether the AI or a person wrote it. */
      speakerKind?: 'human' | 'ai';
      text: string;
      redactions: number;
      seq?: number;
      /** Id of the customer's own message until the server acknowledged it. */
      localId?: string;
      pending?: boolean;
    }
  | {
      kind: 'system';
      key: string;
      at: string;
      text: string;
      tone: Tone;
      /** Someone else's words shown under the line, in their own column (the AI's hand-over summary). */
      quote?: string;
    }
  | { kind: 'request'; key: string; requestId: string };

/**
 * A request's state is the protocol's request lifecycle (a request still pending when the
 * session ends shows as expired here), plus what only this machine knows: `failed` (the command
 * could not run, the file could not be read or sent), and for files and commands with a working
 * directory `checking` (the local check before asking; the server sees it as pending) and
 * `refused` (that check refused the request).
 */
export type CommandStatus = Exclude<RequestState, 'unanswered'> | 'checking' | 'refused' | 'failed';
export type FileStatus = Exclude<RequestState, 'unanswered' | 'running'> | 'checking' | 'refused' | 'failed';

export interface CommandRequest {
  kind: 'command';
  requestId: string;
  command: string;
  /** The folder it runs in, relative to the project root; absent: the root. */
  cwd?: string;
  /** The engineer's time limit; absent: this machine's default. */
  timeoutSeconds?: number;
  reason: string;
  /** Local epoch ms after which the request counts as denied (server expiry, clock-skew corrected). */
  deadline: number | null;
  status: CommandStatus;
  scope?: 'once' | 'session';
  /** Approved automatically because the customer allowed this exact command for the session. */
  auto?: boolean;
  /** Why the local check refused it without asking (its working directory). */
  refusedReason?: string;
  /** Last part of the output, for the screen only (the engineer gets all of it). */
  outputTail: string;
  outputBytes: number;
  /** This process ran it (so echoes of our own output from the server are not shown again). */
  ranHere: boolean;
  exitCode?: number | null;
  signal?: string | null;
  durationMs?: number;
  truncated?: boolean;
  timedOut?: boolean;
  redactions?: number;
  error?: string;
}

export interface FileRequest {
  kind: 'file';
  requestId: string;
  path: string;
  reason: string;
  deadline: number | null;
  status: FileStatus;
  size?: number;
  sensitive?: boolean;
  /** Why the customer must type the name (safety/projectFile.ts): a secrets file, a hard link. */
  sensitiveReason?: string;
  refusedReason?: string;
  redactions?: number;
  error?: string;
}

export type Request = CommandRequest | FileRequest;

export interface Billing {
  creditsUsed: number;
  balance: number;
  /** What the last billed minute cost (0 for a free AI minute). */
  ratePerMinute: number;
  minutes: number;
  lowBalance: boolean;
  /** Whose minute the last one was: a human engineer's or the AI's (absent from an older server). */
  help?: 'human' | 'ai';
  /** After an AI minute: the customer's free AI minutes left today. */
  freeMinutesLeft?: number;
}

/** Who helps right now, as the header shows them. */
export interface Helper {
  id: string;
  name: string;
  /** A human engineer's title, or the AI's model. */
  title: string | null;
  online: boolean;
  kind: 'human' | 'ai';
}

export interface Summary {
  endedBy: 'customer' | 'engineer' | 'system';
  reason: string;
  engineer: string | null;
  durationSeconds: number;
  /** Minutes charged, as the server counted them (absent from an older server). */
  billedMinutes?: number;
  creditsUsed: number;
  /** The engineer's resolution note (their words: shown through the untrusted-text renderer). */
  resolution?: string;
}

/** A line only this machine shows (our own message until the server echoes it, a local notice). */
export type LocalEntry = Extract<Entry, { kind: 'message' | 'system' }> & {
  /** The view's `lastSeq` when it was added: it shows after the events up to there. */
  afterSeq: number;
};

/**
 * What this machine knows about a request beyond the server's events: its deadline's clock
 * correction aside, the local check of a file, our decision before the server echoes it, an
 * expiry seen here first, and the run of a command on this machine.
 */
export type LocalRequest = {
  /** Set when this machine knows better than the events so far (see sessionProjection.ts). */
  status?: CommandStatus | FileStatus;
} & Partial<
  Pick<
    CommandRequest,
    | 'scope'
    | 'auto'
    | 'ranHere'
    | 'outputTail'
    | 'outputBytes'
    | 'exitCode'
    | 'signal'
    | 'durationMs'
    | 'truncated'
    | 'timedOut'
    | 'redactions'
    | 'refusedReason'
    | 'error'
  > &
    Pick<FileRequest, 'size' | 'sensitive' | 'sensitiveReason'>
>;

export interface SessionState {
  phase: Phase;
  taskId: string | null;
  customerName: string;
  connection: ConnectionState;
  /** What the server's events say, folded by the protocol's shared fold. */
  view: SessionView;
  /** The task as created over HTTP, until the events say more. */
  created: {
    status: 'queued' | 'active' | 'ended';
    queuePosition?: number;
    estimatedWaitSeconds?: number;
    /** The task's own credit limit (`--max-credits`); absent without one. */
    maxCredits?: number;
  } | null;
  /** This server's AI terms from GET /v1/ai (null: none, an older server, or not known yet). */
  aiInfo: AiInfo | null;
  /** Engineers that joined as the AI participant, by id (from their `engineer_connected`). */
  aiIds: readonly string[];
  /** The customer typed /human and the hand-over has not arrived yet. */
  humanAsked: boolean;
  /** This machine's own lines and messages, in the order they were added. */
  localEntries: LocalEntry[];
  /** This machine's knowledge of each request, by id. */
  local: Record<string, LocalRequest>;
  /** The "No engineers available right now… Continue waiting? (y/n)" question is open. */
  askKeepWaiting: boolean;
  // Built from `view` and the local parts after every action (sessionProjection.ts); never set directly.
  readonly status: 'queued' | 'active' | 'ended' | null;
  readonly queue: { position?: number; estimatedWaitSeconds?: number } | null;
  readonly engineer: Helper | null;
  /** The AI is the one helping now: /human asks for a person. */
  readonly aiLeads: boolean;
  readonly billing: Billing | null;
  readonly entries: Entry[];
  readonly requests: Record<string, Request>;
  /** Request ids waiting for the customer, oldest first; the first one owns the keyboard. */
  promptQueue: string[];
  screenshare: { url: string; opened: boolean } | null;
  draft: string;
  /** What the customer typed to confirm a sensitive file (its name). */
  confirmDraft: string;
  confirmMismatch: boolean;
  summary: Summary | null;
  rating: number | null;
  feedbackDraft: string;
  ratingSaved: boolean;
  /** Server clock minus local clock, from the welcome frame; corrects request deadlines. */
  skewMs: number;
  /** Local epoch ms; advanced by `tick` so countdowns render without reading the clock. */
  now: number;
  /** Seq of the server's head when it welcomed us: replay is complete once we reach it. */
  replayUntil: number;
  readonly lastSeq: number;
  notice: { text: string; tone: Tone } | null;
}

export type Action =
  | { type: 'frame'; frame: ServerMessage; now: number }
  | { type: 'connection'; state: ConnectionState }
  | {
      type: 'taskCreated';
      taskId: string;
      status: 'queued' | 'active' | 'ended';
      queuePosition?: number;
      estimatedWaitSeconds?: number;
      maxCredits?: number;
      /** Why the server made the task human-only (shown once in the chat). */
      modeNote?: string | null;
      at: string;
    }
  | { type: 'aiInfo'; info: AiInfo | null }
  | { type: 'humanAsked'; at: string }
  | { type: 'humanAskFailed'; reason: string }
  | { type: 'issueSubmitted' }
  | { type: 'draft'; text: string }
  | { type: 'confirmDraft'; text: string }
  | { type: 'confirmMismatch' }
  | { type: 'chatSent'; localId: string; text: string; redactions: number; at: string }
  | { type: 'ack'; id: string; seq: number | null }
  | { type: 'sendFailed'; localId: string; reason: string }
  | { type: 'decided'; requestId: string; approved: boolean; scope?: 'once' | 'session'; auto?: boolean }
  | { type: 'decisionRefused'; requestId: string; reason: string }
  | { type: 'commandStarted'; requestId: string }
  | { type: 'commandOutput'; requestId: string; data: string }
  | ({ type: 'commandFinished'; requestId: string } & CommandOutcome)
  | { type: 'commandChecked'; requestId: string }
  | { type: 'commandRefused'; requestId: string; reason: string }
  | { type: 'fileChecked'; requestId: string; size: number; sensitive: boolean; sensitiveReason?: string }
  | { type: 'fileRefused'; requestId: string; reason: string }
  | { type: 'fileSent'; requestId: string; size: number; redactions: number }
  | { type: 'fileFailed'; requestId: string; reason: string }
  | { type: 'screenshareOpened' }
  | { type: 'screenshareDismissed' }
  | { type: 'askKeepWaiting' }
  | { type: 'keepWaiting' }
  | { type: 'tick'; now: number }
  | { type: 'ctrlC' }
  | { type: 'cancelExit' }
  | { type: 'endRequested' }
  | { type: 'ended'; summary: Summary }
  | { type: 'rated'; rating: number }
  | { type: 'feedbackDraft'; text: string }
  | { type: 'ratingSaved' }
  | { type: 'finish' }
  | { type: 'notice'; text: string; tone: Tone }
  | { type: 'system'; text: string; tone: Tone; at: string };

export function initialSessionState(init: { customerName: string; now: number; askIssue?: boolean }): SessionState {
  return {
    phase: init.askIssue ? 'askIssue' : 'starting',
    taskId: null,
    customerName: init.customerName,
    connection: { kind: 'connecting' },
    view: initialSessionView(),
    created: null,
    aiInfo: null,
    aiIds: [],
    humanAsked: false,
    localEntries: [],
    local: {},
    status: null,
    queue: null,
    askKeepWaiting: false,
    engineer: null,
    aiLeads: false,
    billing: null,
    entries: [],
    requests: {},
    promptQueue: [],
    screenshare: null,
    draft: '',
    confirmDraft: '',
    confirmMismatch: false,
    summary: null,
    rating: null,
    feedbackDraft: '',
    ratingSaved: false,
    skewMs: 0,
    now: init.now,
    replayUntil: 0,
    lastSeq: 0,
    notice: null,
  };
}

/** The request the customer is being asked about right now, if any. */
export function activePrompt(state: SessionState): Request | null {
  const id = state.promptQueue[0];
  return id ? (state.requests[id] ?? null) : null;
}

/** Whole seconds left before a request expires (null when the server gave no expiry). */
export function secondsLeft(request: Request, now: number): number | null {
  if (request.deadline === null) return null;
  return Math.max(0, Math.ceil((request.deadline - now) / 1000));
}
