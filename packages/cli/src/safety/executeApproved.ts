import { MAX_FRAME_BYTES, MAX_OUTPUT_CHUNK_CHARS } from '@codevf/protocol';
import type { Redactor } from './redactor';
import {
  type CommandResult,
  type OutputStream,
  type RunApprovedCommandOptions,
  runApprovedCommand,
} from './runCommand';
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

/** Room left in a frame for everything but `data` (type, timestamp, ids, stream, quoting). */
const FRAME_ENVELOPE_BYTES = 4 * 1024;

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

/**
 * Splits text into pieces of at most `maxChars` UTF-16 units whose JSON encoding is at most
 * `maxJsonBytes` bytes, never between the two halves of a surrogate pair.
 */
export function splitForWire(
  text: string,
  maxChars: number = MAX_OUTPUT_CHUNK_CHARS,
  maxJsonBytes: number = MAX_FRAME_BYTES - FRAME_ENVELOPE_BYTES,
): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = start;
    let bytes = 0;
    while (end < text.length && end - start < maxChars) {
      const code = text.charCodeAt(end);
      const pair = code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(end + 1));
      const units = pair ? 2 : 1;
      const cost = pair ? 4 : jsonBytes(code);
      if (end - start + units > maxChars || bytes + cost > maxJsonBytes) break;
      bytes += cost;
      end += units;
    }
    if (end === start) end = start + 1; // limits below one character: make progress anyway
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Bytes one UTF-16 unit (not part of a pair) takes in JSON.stringify output, UTF-8 encoded. */
function jsonBytes(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2; // \" \\
  if (code < 0x20) return code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 2 : 6;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdfff) return 6; // a lone surrogate is escaped as \udxxx
  return 3;
}
