import { MAX_FRAME_BYTES, MAX_OUTPUT_CHUNK_CHARS } from '@codevf/protocol';

/** Room left in a frame for everything but the data string (type, ids, timestamp, quoting). */
const ENVELOPE_ALLOWANCE = 1_024;
const MAX_DATA_JSON_BYTES = MAX_FRAME_BYTES - ENVELOPE_ALLOWANCE;

/**
 * Splits text into pieces that each fit one `command_output` frame: at most
 * MAX_OUTPUT_CHUNK_CHARS characters and, once JSON-escaped and UTF-8 encoded, small enough
 * for MAX_FRAME_BYTES (control characters escape to six bytes, so the character limit alone
 * is not enough). Never cuts a surrogate pair in half.
 */
export function chunkText(text: string, maxChars = MAX_OUTPUT_CHUNK_CHARS, maxJsonBytes = MAX_DATA_JSON_BYTES): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    let n = Math.min(rest.length, maxChars);
    for (;;) {
      n = safeCut(rest, n);
      if (Buffer.byteLength(JSON.stringify(rest.slice(0, n))) <= maxJsonBytes || n <= 1) break;
      n = Math.floor(n / 2);
    }
    pieces.push(rest.slice(0, n));
    rest = rest.slice(n);
  }
  return pieces;
}

function safeCut(text: string, n: number): number {
  if (n >= text.length || n <= 1) return n;
  const code = text.charCodeAt(n - 1);
  return code >= 0xd800 && code <= 0xdbff ? n - 1 : n;
}
