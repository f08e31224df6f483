import type { ApiClient } from './api';
import type { AuthStore } from './authStore';
import type { ResolvedServer } from './baseUrl';
import type { IO } from './io';
import type { Paths } from './paths';
import type { ServerStore } from './serverStore';

/** A flag as the user types it: `--name value` or `--name` for booleans. */
export interface FlagSpec {
  type: 'boolean' | 'string';
  description: string;
  short?: string;
  /** Shown in help: `--base-url <url>`. */
  valueName?: string;
  /** A string flag that may repeat (`--tool a --tool b` → string[]). */
  multiple?: boolean;
  /**
   * A boolean flag that may carry a value as the next word (`--resume <id>`, or `--resume`
   * alone): `--resume=<id>` is read as `--resume <id>`, so the value arrives as a positional.
   */
  optionalValue?: boolean;
}

export interface ArgSpec {
  name: string;
  description: string;
  required?: boolean;
  /** Takes every remaining word (joined by the handler as it sees fit). */
  variadic?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F]: F[K] extends { type: 'boolean' }
    ? boolean | undefined
    : F[K] extends { multiple: true }
      ? string[] | undefined
      : string | undefined;
};

export interface ParsedArgs<F extends FlagSpecs> {
  /** Positional arguments by their ArgSpec name (variadic: every remaining word). */
  args: Record<string, string | string[] | undefined>;
  flags: FlagValues<F>;
}

/**
 * What a handler may use. Everything with a cost is a function called on first use, so a
 * command pays only for what it touches (`whoami` never builds an upload client, `--help`
 * never reads auth.json).
 */
export interface CommandContext {
  io: IO;
  /** --json was given: the runner prints the envelope; the handler must not write to stdout. */
  json: boolean;
  /** Aborted on Ctrl+C; pass it on to anything long-running. */
  signal: AbortSignal;
  now(): number;
  /** The operating system, for decisions such as whether a browser can appear. */
  platform: NodeJS.Platform;
  /** The folder the command runs in; project commands look for `.codevf/` from here. */
  cwd(): string;
  /** Waits, rejecting with an interruption (exit 130) when `signal` aborts. */
  sleep(ms: number): Promise<void>;
  paths(): Paths;
  authStore(): AuthStore;
  /** server.json: the server of the last login, kept across logout. */
  serverStore(): ServerStore;
  /** --base-url, CODEVF_API_URL, the remembered server, the default — validated, with its source. */
  server(): Promise<ResolvedServer>;
  /** `server()`'s address alone. */
  baseUrl(): Promise<string>;
  /** The HTTP client for `baseUrl()` (auth, refresh, timeouts, problem details). */
  api(): Promise<ApiClient>;
  /** An HTTP client for another server, e.g. the one a stored login came from (logout revokes there). */
  apiAt(baseUrl: string): ApiClient;
  /** Tries to open a URL in the browser; false when it could not (never throws). */
  openBrowser(url: string): Promise<boolean>;
  /** One status line on stderr (never on stdout, so --json output stays one document). */
  status(text: string): void;
  /** A warning on stderr. */
  warn(text: string): void;
}

export interface CommandModule<F extends FlagSpecs = FlagSpecs, R = unknown> {
  /** Longer text for `codevf <cmd> --help` (the one-line summary lives in the registry). */
  description?: string;
  args?: ArgSpec[];
  flags?: F;
  /** Accepts --json: the handler's result becomes `{"ok":true,"data":result}`. */
  json: boolean;
  examples?: string[];
  handler(parsed: ParsedArgs<F>, ctx: CommandContext): Promise<R>;
  /** Prints the result for people (when --json is not given). */
  human?(result: R, ctx: CommandContext): void;
}

/** Identity function that lets TypeScript infer flag types from the declaration. */
export function defineCommand<const F extends FlagSpecs, R>(command: CommandModule<F, R>): CommandModule<F, R> {
  return command;
}

export interface RegisteredCommand {
  name: string;
  summary: string;
  /** Loaded only when this command runs (or for its --help), so its dependencies cost nothing elsewhere. */
  load(): Promise<{ default: CommandModule }>;
}
