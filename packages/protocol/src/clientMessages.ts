import { z } from 'zod';
import { EndSession, Hello } from './controlFrames';
import { cwdProblem } from './shared/commandCwd';
import {
  MAX_CHAT_CHARS,
  MAX_COMMAND_CHARS,
  MAX_COMMAND_TIMEOUT_SECONDS,
  MAX_CWD_CHARS,
  MAX_FILE_CHARS,
  MAX_OUTPUT_CHUNK_CHARS,
  MAX_PATH_CHARS,
  MAX_REASON_CHARS,
  MIN_COMMAND_TIMEOUT_SECONDS,
} from './shared/limits';
import { checkScreenshareUrl, hasForbiddenControls, screenshareUrlProblem } from './shared/untrustedText';

/**
 * What a client sends the server (client → server, docs/PROTOCOL.md §3.4): one schema per
 * `type`, each with a comment naming its sender. The server checks the sender's role against
 * CLIENT_MESSAGE_SENDERS, then the payload against its schema (unknown keys are dropped).
 */

const text = z.string().min(1).max(MAX_CHAT_CHARS);
const reason = z.string().max(MAX_REASON_CHARS).default('');
/** Why the customer (or their agent) declined a request; shown to the engineer and the AI. */
export const MAX_DECLINE_REASON_CHARS = 500;
const declineReason = z.string().max(MAX_DECLINE_REASON_CHARS).optional();
/** An engineer request's id, as the server assigns it (request_command / request_file). */
export const RequestId = z.string().min(1).max(64);

/**
 * The engineer's requests as the transcript stores them (the persisted events' schemas,
 * serverEvents.ts). What a client may send adds the refusal rules below: a client reading the
 * transcript still escapes whatever arrives — an event stored before these rules, or by a
 * server that does not apply them, must reach the screen escaped, not be dropped unseen.
 */
export const storedRequestPayloads = {
  request_command: z.object({
    command: z.string().min(1).max(MAX_COMMAND_CHARS),
    reason,
    /** The folder to run in, relative to the project root (`/`-separated); omitted: the root. */
    cwd: z.string().max(MAX_CWD_CHARS).optional(),
    /** The customer's side stops the command's process tree after this long; omitted: its own default. */
    timeoutSeconds: z.number().int().min(MIN_COMMAND_TIMEOUT_SECONDS).max(MAX_COMMAND_TIMEOUT_SECONDS).optional(),
  }),
  request_file: z.object({ path: z.string().min(1).max(MAX_PATH_CHARS), reason }),
  screenshare_request: z.object({ url: z.string().url().max(2_000) }),
};

/**
 * What the customer approves must be what runs, byte for byte: control characters rewrite the
 * screen (ESC, CR, backspace) and bidi controls reorder it, so a command or path containing one
 * is refused outright rather than only escaped on display. A command may span lines (tab and
 * newline allowed); a path is one line.
 */
const Command = storedRequestPayloads.request_command.shape.command.refine(
  (s) => !hasForbiddenControls(s, { allowNewlines: true }),
  {
    message:
      'must not contain NUL, control characters other than tab and newline, or bidi controls (they hide what would run)',
  },
);
const Cwd = z
  .string()
  .max(MAX_CWD_CHARS)
  .superRefine((cwd, ctx) => {
    const problem = cwdProblem(cwd);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });
const Path = storedRequestPayloads.request_file.shape.path.refine((s) => !hasForbiddenControls(s), {
  message: 'must not contain NUL, newlines, other control characters or bidi controls',
});
/**
 * A link the customer may open: `https:` without user info. `http:` to a loopback host passes
 * here; the server allows it only when it runs on a loopback address itself (development).
 */
export const ScreenshareUrl = z
  .string()
  .max(2_000)
  .superRefine((url, ctx) => {
    const check = checkScreenshareUrl(url, { allowLoopbackHttp: true });
    if (!check.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: screenshareUrlProblem(check.reason) });
  });

export const clientPayloads = {
  /** either: opens the session (see controlFrames). */
  hello: Hello,
  /** customer: a chat line; `redactions` counts the values the CLI masked in it. */
  customer_message: z.object({ text, redactions: z.number().int().min(0).optional() }),
  /** engineer: a chat line. */
  engineer_message: z.object({ text }),
  /** engineer: asks to run a command; the server answers with the stored event, which adds `requestId` and `expiresAt`. */
  request_command: storedRequestPayloads.request_command.extend({ command: Command, cwd: Cwd.optional() }),
  /** engineer: asks for a file; the stored event adds `requestId` and `expiresAt`. */
  request_file: storedRequestPayloads.request_file.extend({ path: Path }),
  /** engineer: offers a screenshare link. */
  screenshare_request: storedRequestPayloads.screenshare_request.extend({ url: ScreenshareUrl }),
  /** customer: decides a command request, once or for the rest of the session. */
  approve_command: z.object({
    requestId: RequestId,
    approved: z.boolean(),
    scope: z.enum(['once', 'session']).optional(),
    /** Why the customer's side refused without asking (the working directory is not a folder inside the project). */
    refusedReason: z.string().max(MAX_REASON_CHARS).optional(),
    /** With `approved: false`: why, for the engineer (or the AI) to read. */
    reason: declineReason,
  }),
  /** customer: one chunk of an approved command's output. */
  command_output: z.object({
    requestId: RequestId,
    stream: z.enum(['stdout', 'stderr']),
    data: z.string().max(MAX_OUTPUT_CHUNK_CHARS),
  }),
  /** customer: how an approved command ended; completes the request. */
  command_result: z.object({
    requestId: RequestId,
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable().optional(),
    durationMs: z.number().int().min(0),
    truncated: z.boolean(),
    redactions: z.number().int().min(0),
    /** The command hit the customer's time limit and its process group was killed. */
    timedOut: z.boolean().optional(),
    /** Set when the command could not be run at all (e.g. the project root is gone). */
    error: z.string().max(MAX_REASON_CHARS).optional(),
  }),
  /** customer: decides a file request; `refusedReason` when the CLI refused it without asking. */
  approve_file: z.object({
    requestId: RequestId,
    approved: z.boolean(),
    /** Why the file was refused by the customer's side without asking (escape, binary, too large). */
    refusedReason: z.string().max(MAX_REASON_CHARS).optional(),
    /** With `approved: false`: why the customer (or their agent) declined, for the engineer (or the AI). */
    reason: declineReason,
  }),
  /** customer: the content of an approved file; completes the request. */
  file_upload: z.object({
    requestId: RequestId,
    path: z.string().max(MAX_PATH_CHARS),
    size: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    encoding: z.literal('utf8'),
    content: z.string().max(MAX_FILE_CHARS),
    redactions: z.number().int().min(0),
  }),
  /**
   * customer: asks for a human engineer in an AI-led task (typed `/human` in the CLI). The AI
   * hands over (`handoff` with reason `customer_asked`); an `ai` task becomes `hybrid`. Not
   * stored itself: the `handoff` it causes is; acked with that event's seq.
   */
  request_human: z.object({ reason: z.string().max(MAX_REASON_CHARS).optional() }),
  /** guide: guidance for the AI from an engineer guiding the task (stored as `guide_message`). */
  guide_message: z.object({ text }),
  /** either: ends the session (see controlFrames). */
  end_session: EndSession,
} as const;

export type ClientMessageType = keyof typeof clientPayloads;
/** The payload of a client message as the server reads it (defaults applied). */
export type ClientPayload<T extends ClientMessageType> = z.infer<(typeof clientPayloads)[T]>;

/** A frame a client sends: a union discriminated on `type`. */
export type ClientMessage<T extends ClientMessageType = ClientMessageType> = {
  [K in T]: { type: K; timestamp: string; payload: ClientPayload<K>; id?: string };
}[T];

/**
 * The role a socket holds in a task: its customer, its engineer (a human, or the AI on the
 * server's side), or a guide — an engineer who joined an AI-led task to steer the AI without
 * taking it over. A guide reads everything and sends only `guide_message` (and `hello`).
 */
export type SenderRole = 'customer' | 'engineer' | 'guide';

/** Who may send each client message; the server enforces it, clients hide impossible actions. `either` = customer or engineer (not a guide, except `hello`). */
export const CLIENT_MESSAGE_SENDERS = {
  hello: 'either',
  customer_message: 'customer',
  engineer_message: 'engineer',
  request_command: 'engineer',
  request_file: 'engineer',
  screenshare_request: 'engineer',
  approve_command: 'customer',
  command_output: 'customer',
  command_result: 'customer',
  approve_file: 'customer',
  file_upload: 'customer',
  request_human: 'customer',
  guide_message: 'guide',
  end_session: 'either',
} as const satisfies Record<ClientMessageType, SenderRole | 'either'>;

type SentBy<R extends SenderRole> = {
  [K in ClientMessageType]: (typeof CLIENT_MESSAGE_SENDERS)[K] extends R | (R extends 'guide' ? never : 'either')
    ? K
    : never;
}[ClientMessageType];
export type CustomerMessageType = SentBy<'customer'>;
export type EngineerMessageType = SentBy<'engineer'>;
export type GuideMessageType = SentBy<'guide'> | 'hello';

function sentBy<R extends SenderRole>(role: R): readonly SentBy<R>[] {
  return (Object.keys(CLIENT_MESSAGE_SENDERS) as ClientMessageType[]).filter(
    (t) => CLIENT_MESSAGE_SENDERS[t] === role || (role !== 'guide' && CLIENT_MESSAGE_SENDERS[t] === 'either'),
  ) as SentBy<R>[];
}
export const CUSTOMER_SENDS = sentBy('customer');
export const ENGINEER_SENDS = sentBy('engineer');
export const GUIDE_SENDS: readonly GuideMessageType[] = ['hello', ...sentBy('guide')];

export function isClientMessageType(type: string): type is ClientMessageType {
  return Object.hasOwn(clientPayloads, type);
}

/** Parses a client message's payload for its type; returns the zod error on mismatch. */
export function parseClientPayload<T extends ClientMessageType>(type: T, payload: unknown) {
  return (clientPayloads[type] as z.ZodTypeAny).safeParse(payload) as z.SafeParseReturnType<unknown, ClientPayload<T>>;
}

/** Builds a client frame with the current time. */
export function clientFrame<T extends ClientMessageType>(
  type: T,
  payload: ClientPayload<T>,
  extra: { id?: string } = {},
): { type: T; timestamp: string; payload: ClientPayload<T>; id?: string } {
  return { type, timestamp: new Date().toISOString(), payload, ...extra };
}
