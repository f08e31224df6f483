/**
 * What the live session does on the customer's machine, as the controller sees it. The real
 * implementation (createLocalWork.ts) is a thin adapter over the safety layer; keeping this
 * seam lets the controller be tested against plain functions.
 */
export interface CommandOutcome {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  truncated: boolean;
  redactions: number;
  /** The command ran past its time limit and its process group was killed. */
  timedOut?: boolean;
  /** Set when the command could not be started at all. */
  error?: string;
}

export type FileCheck =
  | { ok: true; path: string; size: number; sensitive: boolean; sensitiveReason?: string }
  | { ok: false; reason: string };

export type FileRead =
  | { ok: true; path: string; size: number; sha256: string; content: string; redactions: number }
  | { ok: false; reason: string };

/** Where and how long an approved command runs, as the engineer asked and the customer approved. */
export interface CommandPlace {
  /** A folder inside the project, relative to its root; absent: the root. */
  cwd?: string;
  /** Absent: the configured default (10 minutes unless `.codevf/config.json` says otherwise). */
  timeoutSeconds?: number;
}

export type DirCheck = { ok: true } | { ok: false; reason: string };

export interface LocalWork {
  /** Masks secrets in a chat line the customer typed (once the safety layer is loaded). */
  redactText(text: string): Promise<{ text: string; redactions: number }>;
  /**
   * Runs an approved command in the project root or `place.cwd` (confined again: it may have
   * changed since the check); `onOutput` gets redacted chunks as they come.
   */
  runCommand(
    command: string,
    onOutput: (stream: 'stdout' | 'stderr', data: string) => void,
    signal: AbortSignal,
    place?: CommandPlace,
  ): Promise<CommandOutcome>;
  /** Checks a command's working directory before the customer is asked (confinement, symbolic links, a folder). */
  checkDir(cwd: string): Promise<DirCheck>;
  /** Checks a requested path without reading it (confinement, type, size, binary, sensitivity). */
  checkFile(path: string): Promise<FileCheck>;
  /** Reads an approved file: confined again (it may have changed since the check), redacted. */
  readFile(path: string): Promise<FileRead>;
  /** Opens a URL in the browser; false when it could not. */
  openUrl(url: string): Promise<boolean>;
}

/** A LocalWork made on first use (or when `ready()` is called), and `ready()` to wait for it. */
export interface DeferredLocalWork extends LocalWork {
  ready(): Promise<void>;
}

/**
 * Wraps `make` so that it runs once, when something first needs it: the safety layer's modules
 * take tens of milliseconds to load, and a session's first words should not wait behind them.
 * Every method waits for it.
 */
export function deferLocalWork(make: () => Promise<LocalWork>): DeferredLocalWork {
  let made: Promise<LocalWork> | undefined;
  const get = () => {
    made ??= make();
    return made;
  };
  return {
    ready: async () => {
      await get();
    },
    redactText: async (text) => (await get()).redactText(text),
    runCommand: async (command, onOutput, signal, place) => (await get()).runCommand(command, onOutput, signal, place),
    checkDir: async (cwd) => (await get()).checkDir(cwd),
    checkFile: async (path) => (await get()).checkFile(path),
    readFile: async (path) => (await get()).readFile(path),
    openUrl: async (url) => (await get()).openUrl(url),
  };
}
