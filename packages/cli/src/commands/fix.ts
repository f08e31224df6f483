import { setTimeout as sleep } from 'node:timers/promises';
import type { Task } from '@codevf/protocol';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';
import { usage } from '../core/parse';
import { parseWholeNumber } from '../core/parseNumber';
import { createTask } from '../session/createTask';
import type { SessionOutcome } from '../session/liveSession';
import { deferLocalWork } from '../session/localWork';

type TaskMode = Task['mode'];

const noop = () => {};

/** Knobs for tests and unusual networks; read from the environment, never passed to commands. */
function intFromEnv(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new CodevfError(
      'E_VALIDATION',
      `${name} must be a whole number of at least ${min}; it is ${JSON.stringify(raw)}.`,
    );
  }
  return n;
}

const MODES: readonly TaskMode[] = ['human', 'ai', 'hybrid'];

/** `--mode`: one of MODES (any case); anything else is a usage error naming the choices. */
function parseMode(raw: string | undefined): TaskMode | undefined {
  if (raw === undefined) return undefined;
  const mode = raw.trim().toLowerCase();
  if ((MODES as readonly string[]).includes(mode)) return mode as TaskMode;
  throw usage('fix', `--mode must be one of ${MODES.join(', ')}; got ${JSON.stringify(raw)}.`);
}

export default defineCommand({
  description:
    'Starts a live session about an issue: creates a task and opens a chat in the terminal with whoever ' +
    'helps — the AI assistant at once when the server offers one, a human engineer from the queue otherwise ' +
    'or when the AI hands over. The header always shows who is helping and what a minute costs now. While ' +
    'the AI helps, type /human (optionally /human <reason>) in the chat to ask for a human engineer. ' +
    'Helpers can only ask to run a command or read a file; every request is shown with its exact command ' +
    'or path and runs only after you approve it. Output and files are redacted (secrets masked) before ' +
    'they leave this machine. Without an issue text, it asks for one. If the connection is lost for good, ' +
    'the task stays open: resume it with --resume <taskId> (a task that ' +
    'ended meanwhile shows its summary and asks for the rating).\n\n' +
    'Modes: human (the queue of human engineers), ai (the AI alone; /human still brings in a person), ' +
    'hybrid (the AI at once, a human engineer when needed). Without --mode the server decides: hybrid when ' +
    "it offers an AI and the project's allowed AI tools include it, else human (the reason is shown).\n\n" +
    'Settings: .codevf/config.json may set commandTimeoutSeconds (default 600), maxOutputBytes (default ' +
    '1 MiB) and maxFileBytes (default 1 MiB). CODEVF_MAX_RECONNECTS sets how many reconnect attempts in a ' +
    'row are made before giving up (default 8). The terminal bell rings when a request or a screenshare link ' +
    'arrives; --no-bell or CODEVF_BELL=0 turns it off.\n\n' +
    "Finished lines (chat, request outcomes, output tails) are written once and stay in the terminal's " +
    'scrollback; only the header, a question waiting for you, the input line and the footer are redrawn.',
  args: [{ name: 'issue', description: 'What is wrong, in your own words', variadic: true }],
  flags: {
    mode: {
      type: 'string',
      valueName: 'human|ai|hybrid',
      description: 'Who should help (default: the server decides, AI first when it offers one)',
    },
    resume: {
      type: 'boolean',
      optionalValue: true,
      valueName: 'taskId',
      description:
        'Reconnect to an open task (codevf fix --resume <taskId>), or see the summary of one that has ended; ' +
        "without an id, this project's open task",
    },
    'max-credits': {
      type: 'string',
      valueName: 'N',
      description: 'The most this session may cost, in credits (a whole number); the server ends it there',
    },
    'no-bell': {
      type: 'boolean',
      description: 'No terminal bell when a request arrives (also: CODEVF_BELL=0)',
    },
  },
  json: false,
  examples: [
    'codevf fix "users can\'t log in after the last deploy"',
    'codevf fix --mode human "flaky deploys since Tuesday"',
    'codevf fix --max-credits 30 "the build fails on CI only"',
    'codevf fix --resume 01J9Z3…',
    'codevf fix --resume',
  ],

  async handler(parsed, ctx) {
    const words = parsed.args.issue;
    const list = Array.isArray(words) ? words : words ? [words] : [];
    // --resume takes the task id as its one word; without one, the project's open task is found below.
    const resuming = parsed.flags.resume === true;
    const issue = resuming ? '' : list.join(' ').trim();
    const given = resuming ? list.map((w) => w.trim()).filter(Boolean) : [];
    if (given.length > 1) {
      throw new CodevfError('E_VALIDATION', 'Give either an issue or --resume <taskId>, not both.');
    }
    let resumeTaskId = given[0];
    const mode = parseMode(parsed.flags.mode);
    if (mode && resuming) {
      throw usage('fix', '--mode is for a new task; a resumed task keeps the mode it has.');
    }
    const maxCredits = parseWholeNumber('--max-credits', parsed.flags['max-credits'], { min: 1 });
    if (maxCredits !== undefined && resuming) {
      throw usage('fix', '--max-credits is for a new task; a resumed task keeps the limit it has.');
    }
    const env = ctx.io.env;
    const maxReconnectAttempts = intFromEnv(env, 'CODEVF_MAX_RECONNECTS', 8, 0);
    const reconnectDelayMs = intFromEnv(env, 'CODEVF_RECONNECT_DELAY_MS', 500, 1);
    const queuePromptSeconds = intFromEnv(env, 'CODEVF_QUEUE_PROMPT_SECONDS', 180, 1);
    const bell = !parsed.flags['no-bell'] && env.CODEVF_BELL !== '0';
    // How long the plain first frame waits for the helper's first words before the full screen loads.
    const fullScreenAfterMs = intFromEnv(env, 'CODEVF_FULL_SCREEN_AFTER_MS', 500, 0);

    const api = await ctx.api();
    const login = await api.currentLogin();
    if (!login) await api.accessToken(); // throws the precise E_NOT_LOGGED_IN (other server, none at all)
    if (resuming && !resumeTaskId) {
      const { openTaskToResume } = await import('../agent/openTaskToResume');
      resumeTaskId = await openTaskToResume(api, ctx.cwd());
    }
    // canPrompt: stdin and stderr are terminals and this is not CI (where Ink would draw only
    // the last frame of the live screen).
    if (!ctx.io.canPrompt || !ctx.io.stdoutIsTTY) {
      throw new CodevfError('E_NO_TTY', '`codevf fix` is a live, interactive session and needs a terminal.', {
        hint: 'Run it in a terminal window (not through a pipe, a script or CI). From an agent or a script, use: codevf ask',
      });
    }

    const { findProjectRoot, readProjectConfig } = await import('../project/projectConfig');
    const cwd = ctx.cwd();
    const projectRoot = await findProjectRoot(cwd);
    const config = projectRoot ? await readProjectConfig(projectRoot) : null;
    // A new task is asked for now, before the session's own modules (safety layer, socket) load:
    // the server makes it, and an AI starts on it, while they do. The session reports a failure.
    let requestSent = () => {};
    const sent = new Promise<void>((resolve) => (requestSent = resolve));
    const createdTask = issue
      ? createTask(api, { description: issue, mode, projectId: config?.projectId, maxCredits }, { onSent: requestSent })
      : undefined;
    createdTask?.catch(() => {});
    // The request must leave before the imports below start: loading modules runs as one long
    // chain of promise jobs, and the socket's connect (a nextTick) would wait behind all of it.
    if (createdTask) await Promise.race([sent, createdTask.then(noop, noop)]);

    const [{ createLiveSession }, { checkScreenshareUrl, isLoopbackHost }, { showPlainFrame }] = await Promise.all([
      import('../session/liveSession'),
      import('@codevf/protocol/shared'),
      import('../ui/plainFrame'),
    ]);
    // http links to this machine are for development only: allowed when the server itself is
    // a local http one. Anywhere else a screenshare link must be https.
    const server = new URL(api.baseUrl);
    const links = { allowLoopbackHttp: server.protocol === 'http:' && isLoopbackHost(server.hostname) };
    const stored = login ?? (await api.currentLogin());
    // The safety layer (redaction rules, command runner) loads when first needed (a request, a
    // line typed) or when the live screen takes over, after the session's socket has opened:
    // the first words do not wait for its ≈ 45 ms of module loading.
    const local = deferLocalWork(async () => {
      const { createLocalWork } = await import('../session/createLocalWork');
      return createLocalWork({
        projectRoot: projectRoot ?? cwd,
        commandTimeoutMs: config?.commandTimeoutSeconds ? config.commandTimeoutSeconds * 1000 : undefined,
        maxOutputBytes: config?.maxOutputBytes,
        maxFileBytes: config?.maxFileBytes,
        secretsToStrip: stored ? [stored.accessToken, stored.refreshToken] : [],
        // The screen offers [o] only for a link that passes this rule; checked again here, at the
        // one place a link is handed to the browser.
        openUrl: (url) => (checkScreenshareUrl(url, links).ok ? ctx.openBrowser(url) : Promise.resolve(false)),
      });
    });
    const session = createLiveSession({
      api,
      local,
      customerName: stored?.user.name ?? 'You',
      description: issue || undefined,
      createdTask,
      resumeTaskId,
      projectId: config?.projectId,
      mode,
      maxCredits,
      maxReconnectAttempts,
      backoff: { initialMs: reconnectDelayMs, maxMs: Math.max(reconnectDelayMs, 10_000) },
      queuePromptAfterMs: queuePromptSeconds * 1000,
    });
    const streams = {
      stdin: ctx.io.stdin as NodeJS.ReadStream,
      stdout: ctx.io.stdout as NodeJS.WriteStream,
      stderr: ctx.io.stderr as NodeJS.WriteStream,
    };
    // The task exists (or is found, to resume) before anything is drawn: a refused start (no
    // credits, an unknown id, a limit too low) is a plain error, and no live screen is drawn.
    // It was asked for before the modules above loaded, so this wait is mostly already over.
    const startError = await session.start();
    if (startError) throw startError;
    // SIGTERM (or a Ctrl+C that reached us as a signal): leave at once, the task stays open.
    const onAbort = () => session.abort();
    ctx.signal.addEventListener('abort', onAbort);
    let outcome: SessionOutcome;
    try {
      // Loading Ink and React holds the event loop for ≈ 150 ms. Until then a plain frame shows
      // the session, and they load only once the helper's first words (or a request) are on it,
      // or after fullScreenAfterMs: a quick first answer is not kept waiting behind them, and
      // the task's creation does not queue behind their file reads.
      const frame = session.store.getState().phase === 'askIssue' ? null : showPlainFrame(session, streams, links);
      if (frame) {
        await Promise.race([frame.firstWords, session.done, sleep(fullScreenAfterMs, undefined, { ref: false })]);
      }
      // The safety layer loads beside the full screen; if it cannot, each use says so (a line
      // is not sent, a request fails) instead of the screen never coming up.
      local.ready().catch(() => {});
      const { runLiveUi } = await import('../ui/runLiveUi');
      frame?.handOver();
      outcome = await runLiveUi(session, streams, { links, bell });
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    if (outcome.message) ctx.io.err(`${outcome.message}\n`);
    if (outcome.error) throw outcome.error;
    return undefined;
  },
});
