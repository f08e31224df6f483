/**
 * The one error-code table of CodeVF. Every code maps to the HTTP status the server answers
 * with, the exit code the CLI ends with, and a remediation hint shown to people and agents.
 *
 * Rules (a public contract): codes are never renamed, never reused for another meaning, and
 * retired codes stay in the table marked as such. This file has no dependencies so that the
 * CLI can load it on its fast paths without pulling in zod.
 */

/** CLI exit codes (docs/PROTOCOL.md §4). */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  auth: 4,
  unreachable: 5,
  refused: 6,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorCodeInfo {
  /** HTTP status the server answers with when it raises this code. */
  status: number;
  /** Exit code of the CLI when a command fails with this code. */
  exit: ExitCodeValue;
  /** What to do about it, addressed to the user (and to an agent driving the CLI). */
  hint: string;
  /** One line saying what the code means; printed in the README and SKILL.md tables. */
  meaning: string;
}

export const ERROR_CODES = {
  E_NOT_LOGGED_IN: {
    status: 401,
    exit: 4,
    meaning: 'No login is stored on this machine.',
    hint: 'Run: codevf login',
  },
  E_UNAUTHORIZED: {
    status: 401,
    exit: 4,
    meaning: 'The login was rejected: expired, revoked or signed out elsewhere.',
    hint: 'Run: codevf login --force',
  },
  E_FORBIDDEN: {
    status: 403,
    exit: 1,
    meaning: 'Signed in, but this account may not do that (role, ownership or task state).',
    hint: 'Check that you are signed in with the right account.',
  },
  E_CROSS_SITE: {
    status: 403,
    exit: 1,
    meaning: 'A browser request that came from another web site was refused (cross-site request forgery).',
    hint: "Use the console at the server's own address; behind a proxy, set CODEVF_PUBLIC_URL to that address.",
  },
  E_NOT_FOUND: {
    status: 404,
    exit: 1,
    meaning: 'The resource does not exist or is not visible to you.',
    hint: 'Check the id; list what you can see with the matching list command.',
  },
  E_VALIDATION: {
    status: 400,
    exit: 2,
    meaning: 'The input is malformed or out of range.',
    hint: 'Fix the input named in the message and try again; see --help.',
  },
  E_CONFLICT: {
    status: 409,
    exit: 1,
    meaning: 'The action conflicts with the current state (already claimed, already decided, already rated).',
    hint: 'Reload the current state and try again if it still applies.',
  },
  E_TOO_LARGE: {
    status: 413,
    exit: 1,
    meaning: 'A body, frame, file or archive is over its size limit.',
    hint: 'Send less: exclude large files or split the content.',
  },
  E_RATE_LIMITED: {
    status: 429,
    exit: 1,
    meaning: 'Too many attempts in a short time.',
    hint: 'Wait a minute and try again.',
  },
  E_LIMIT_REACHED: {
    status: 429,
    exit: 1,
    meaning:
      'A standing limit is reached: pending requests of a task, queued tasks of a customer, the transcript of a queued task, or open live connections of an account.',
    hint: 'Wait until some of them are answered, claimed, ended or closed (the message names which), then try again.',
  },
  E_UNREACHABLE: {
    status: 503,
    exit: 5,
    meaning: 'The CodeVF server could not be reached.',
    hint: 'Check your internet connection and the server address (--base-url or CODEVF_API_URL).',
  },
  E_TIMEOUT: {
    status: 504,
    exit: 5,
    meaning: 'The server did not answer in time.',
    hint: 'Try again; if it keeps happening the server may be overloaded.',
  },
  E_NO_PROJECT: {
    status: 404,
    exit: 1,
    meaning: 'No CodeVF project is set up in this directory.',
    hint: 'Run: codevf init',
  },
  E_CONFIG_INVALID: {
    status: 400,
    exit: 1,
    meaning: 'A local CodeVF file (.codevf/config.json or auth.json) is corrupt or not ours.',
    hint: 'Fix or delete the file named in the message, then run the command again.',
  },
  E_NOT_GIT_REPO: {
    status: 400,
    exit: 1,
    meaning: 'The directory is not inside a git repository.',
    hint: 'Run: git init, commit your work on a codevf branch, then codevf sync',
  },
  E_GIT_NO_COMMITS: {
    status: 400,
    exit: 1,
    meaning: 'The git repository has no commits yet.',
    hint: 'Commit your work first: git add . && git commit -m "..."',
  },
  E_GIT_DETACHED: {
    status: 400,
    exit: 1,
    meaning: 'HEAD is detached (not on any branch).',
    hint: 'Run: git checkout codevf (or git checkout -b codevf)',
  },
  E_GIT_DIRTY: {
    status: 409,
    exit: 1,
    meaning: 'The working directory has uncommitted changes.',
    hint: 'Commit or stash your changes, or pass --force to sync anyway (not recommended).',
  },
  E_GIT_WRONG_BRANCH: {
    status: 409,
    exit: 1,
    meaning: "You are not on the 'codevf' branch.",
    hint: 'Run: git checkout -b codevf (or git checkout codevf), commit, then codevf sync',
  },
  E_GIT_UNAVAILABLE: {
    status: 400,
    exit: 1,
    meaning: 'git is not installed or could not be run.',
    hint: 'Install git (https://git-scm.com) and make sure it is on your PATH.',
  },
  E_INSUFFICIENT_CREDITS: {
    status: 402,
    exit: 1,
    meaning: 'The account has too few credits for this.',
    hint: 'Ask an admin for credits (codevf-server credits grant) and try again.',
  },
  E_NO_ENGINEER: {
    status: 503,
    exit: 1,
    meaning: 'No engineer is available right now.',
    hint: 'Try again later, or keep waiting in the queue.',
  },
  E_AI_UNAVAILABLE: {
    status: 503,
    exit: 1,
    meaning: 'This server offers no AI participant (no provider configured), so `ai` and `hybrid` modes are refused.',
    hint: 'Use --mode human, or ask the operator to set CODEVF_AI_BASE_URL and CODEVF_AI_MODEL.',
  },
  E_AI_NOT_ALLOWED: {
    status: 403,
    exit: 1,
    meaning: "The project's allowed AI tools do not include this server's AI vendor, so its tasks are human-only.",
    hint: 'Use --mode human, or run `codevf init` again and allow the AI tool named in the message.',
  },
  E_REQUEST_EXPIRED: {
    status: 410,
    exit: 1,
    meaning: 'The request expired before it was answered; it counts as denied.',
    hint: 'The engineer can ask again.',
  },
  E_PROTOCOL_VERSION: {
    status: 426,
    exit: 1,
    meaning: 'The client speaks a protocol version the server does not.',
    hint: 'Update the CodeVF CLI to the latest version.',
  },
  E_NO_TTY: {
    status: 400,
    exit: 2,
    meaning: 'The command needs an interactive terminal and none is attached.',
    hint: 'Run it in a terminal, or pass the flags listed in the message (--yes, --json).',
  },
  E_INSECURE_URL: {
    status: 400,
    exit: 2,
    meaning: 'Plain http:// is only allowed for loopback hosts.',
    hint: 'Use an https:// server address.',
  },
  E_LOGIN_DENIED: {
    status: 400,
    exit: 6,
    meaning: 'The sign-in request was denied in the browser.',
    hint: 'Run: codevf login, and approve the request if the code matches.',
  },
  E_LOGIN_EXPIRED: {
    status: 400,
    exit: 4,
    meaning: 'The sign-in code expired before it was approved.',
    hint: 'Run: codevf login again and approve within 10 minutes.',
  },
  E_CANCELLED: {
    status: 400,
    exit: 6,
    meaning: 'You cancelled or refused the action.',
    hint: 'Run the command again when you are ready.',
  },
  E_INTERNAL: {
    status: 500,
    exit: 1,
    meaning: 'An unexpected error on our side.',
    hint: 'Try again; if it persists, report it with the time it happened.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export function errorInfo(code: ErrorCode): ErrorCodeInfo {
  return ERROR_CODES[code];
}

/** The error table as Markdown; README.md and SKILL.md embed this exact text (a test checks). */
export function errorTableMarkdown(): string {
  const rows = ERROR_CODE_NAMES.map((code) => {
    const { status, exit, meaning, hint } = ERROR_CODES[code];
    return `| \`${code}\` | ${status} | ${exit} | ${meaning} | ${hint} |`;
  });
  return ['| code | HTTP | exit | meaning | what to do |', '|---|---|---|---|---|', ...rows].join('\n');
}
