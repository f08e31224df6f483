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

/** What a request is answered with when the safety layer could not load: it goes to the engineer too, so it names no local path. */
export const SAFETY_LAYER_MISSING =
  "The customer's CodeVF CLI could not load its safety checks (a broken install?), so nothing was run or read.";

/**
 * Wraps `make` so that it runs once, when something first needs it: the safety layer's modules
 * take tens of milliseconds to load, and a session's first words should not wait behind them.
 * Every method waits for it. If it cannot be made, `ready()` and `redactText` reject (a chat line
 * is not sent unmasked), and every request is refused with SAFETY_LAYER_MISSING (fail closed,
 * and the session goes on).
 */
export function deferLocalWork(make: () => Promise<LocalWork>): DeferredLocalWork {
  let made: Promise<LocalWork> | undefined;
  const get = () => {
    made ??= make();
    return made;
  };
  async function orRefused<T>(use: (work: LocalWork) => Promise<T>, refused: T): Promise<T> {
    let work: LocalWork;
    try {
      work = await get();
    } catch {
      return refused;
    }
    return use(work);
  }
  const notOk = { ok: false, reason: SAFETY_LAYER_MISSING } as const;
  return {
    ready: async () => {
      await get();
    },
    redactText: async (text) => (await get()).redactText(text),
    runCommand: (command, onOutput, signal, place) =>
      orRefused((w) => w.runCommand(command, onOutput, signal, place), {
        exitCode: null,
        signal: null,
        durationMs: 0,
        truncated: false,
        redactions: 0,
        error: SAFETY_LAYER_MISSING,
      }),
    checkDir: (cwd) => orRefused((w) => w.checkDir(cwd), notOk),
    checkFile: (path) => orRefused((w) => w.checkFile(path), notOk),
    readFile: (path) => orRefused((w) => w.readFile(path), notOk),
    openUrl: (url) => orRefused((w) => w.openUrl(url), false),
  };
}
