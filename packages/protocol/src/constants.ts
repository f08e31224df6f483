/** Constants both sides must agree on. Dependency-free so the CLI's fast paths can load it. */

/** Version of the live-session WebSocket protocol (hello.protocolVersion). */
export const PROTOCOL_VERSION = 1;

/** OAuth client id of the CLI (RFC 8628 device flow). */
export const CLI_CLIENT_ID = 'codevf-cli';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** User codes use only these consonants (no vowels: no words, no 0/O or 1/I confusion). */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

export const DEFAULT_BASE_URL = 'http://127.0.0.1:7878';
export const DEFAULT_PORT = 7878;

/** Seconds. */
export const DEVICE_CODE_TTL_SECONDS = 600;
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
export const SLOW_DOWN_INCREMENT_SECONDS = 5;

/** What a project is (`.codevf/config.json` and the projects API); here so the CLI can check its config without zod's protocol schemas. */
export const PROJECT_TYPES = [
  'node',
  'python',
  'go',
  'rust',
  'ruby',
  'java',
  'php',
  'dotnet',
  'elixir',
  'other',
] as const;
/** Who helps on a task: a human engineer, the AI alone, or the AI first and a human when needed. */
export const TASK_MODES = ['human', 'ai', 'hybrid'] as const;
/** Which branches engineers may work on: only `codevf`, or any. */
export const BRANCH_MODES = ['codevf', 'any'] as const;

/** Name of the git branch engineers may work on (spec §4.4). */
export const CODEVF_BRANCH = 'codevf';

/** Header carrying the CSRF token for cookie-authenticated, state-changing requests. */
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'codevf_session';
export const CSRF_COOKIE = 'codevf_csrf';

/**
 * Normalises a user code as typed by a person: upper-case, dash and spaces removed.
 * "bcdf-ghjk" and "BCDFGHJK" compare equal (docs/PROTOCOL.md §1).
 */
export function normalizeUserCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

/** Shows an 8-character user code as XXXX-XXXX. */
export function formatUserCode(code: string): string {
  const c = normalizeUserCode(code);
  return `${c.slice(0, 4)}-${c.slice(4)}`;
}

/** Header carrying the sha256 (hex) of an upload's body; the server verifies it (snapshots, bundles). */
export const CONTENT_SHA256_HEADER = 'x-content-sha256';
