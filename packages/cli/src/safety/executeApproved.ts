import type { Redactor } from './redactor';
import {
  type CommandResult,
  type OutputStream,
  type RunApprovedCommandOptions,
  runApprovedCommand,
} from './runCommand';
import { splitForWire } from './splitForWire';
import { createStreamRedactor } from './streamRedactor';

/**
 * An approved command, run and redacted, as events ready for the wire:
 *
 *   for await (const ev of executeApproved({ command, cwd: root, redactor, signal, secretsToStrip: [token] })) {
 *     if (ev.kind === 'output') send('command_output', { requestId, stream: ev.stream, data: ev.data });
 *     else send('command_result', { requestId, exitCode: ev.result.exitCode, signal: ev.result.signal,
 *       durationMs: ev.result.durationMs, truncated: ev.result.truncated,
 *       redactions: ev.result.redactions, error: ev.result.error });
 *   }
 *
 * Each stream has its own stream redactor (streamRedactor.ts), so a secret split across reads
 * is still masked. Every `data` is at most MAX_OUTPUT_CHUNK_CHARS characters and small enough
 * that its frame, JSON-encoded, stays under MAX_FRAME_BYTES (control characters such as ANSI
 * escapes take 6 bytes each in JSON). The last event is always one `result`; `result.error` is
 * set (and nothing ran) when the command could not be started. Leaving the loop early (break,
 * throw) stops the command's process group and waits for it.
 */

export interface ExecuteApprovedOptions extends Omit<RunApprovedCommandOptions, 'onOutput'> {
  redactor: Redactor;
}

export interface ExecuteResult extends CommandResult {
  /** Values masked across both streams. */
  redactions: number;
  /** Why the command could not be run at all. */
  error?: string;
}

export type ExecuteEvent =
  | { kind: 'output'; stream: OutputStream; data: string }
  | { kind: 'result'; result: ExecuteResult };

export async function* executeApproved(options: ExecuteApprovedOptions): AsyncGenerator<ExecuteEvent, void, undefined> {
  const { redactor, signal, ...runOptions } = options;
  const queue: ExecuteEvent[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  const push = (ev: ExecuteEvent) => {
    queue.push(ev);
    wake?.();
    wake = undefined;
  };

  const redactors = { stdout: createStreamRedactor(redactor), stderr: createStreamRedactor(redactor) };
  let redactions = 0;
  const emit = (stream: OutputStream, released: { text: string; redactions: number }) => {
    redactions += released.redactions;
    for (const data of splitForWire(released.text)) push({ kind: 'output', stream, data });
  };

  // Our own controller, so that leaving the loop early can stop the command.
  const controller = new AbortController();
  const forwardAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', forwardAbort, { once: true });

  const run = runApprovedCommand({
    ...runOptions,
    signal: controller.signal,
    onOutput: (stream, text) => emit(stream, redactors[stream].push(text)),
  })
    .then((result) => {
      emit('stdout', redactors.stdout.flush());
      emit('stderr', redactors.stderr.flush());
      push({ kind: 'result', result: { ...result, redactions } });
    })
    .catch((err: unknown) => {
      push({
        kind: 'result',
        result: {
          exitCode: null,
          signal: null,
          durationMs: 0,
          truncated: false,
          timedOut: false,
          aborted: false,
          redactions: 0,
          error: err instanceof Error ? err.message : String(err),
        },
      });
    })
    .finally(() => {
      finished = true;
      signal?.removeEventListener('abort', forwardAbort);
      wake?.();
    });

  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (!finished) {
      controller.abort();
      await run;
    }
  }
}
