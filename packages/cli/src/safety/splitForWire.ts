import { MAX_FRAME_BYTES, MAX_OUTPUT_CHUNK_CHARS } from '@codevf/protocol/shared';

/** Room left in a frame for everything but `data` (type, timestamp, ids, stream, quoting). */
const FRAME_ENVELOPE_BYTES = 4 * 1024;

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
