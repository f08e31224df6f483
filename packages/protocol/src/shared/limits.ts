/**
 * Size limits of the live-session protocol (docs/PROTOCOL.md §3.6). Dependency-free: the
 * server, the CLI and the browser read them without loading zod.
 */

/** Longest frame of any type but `file_upload`, in bytes of JSON text. */
export const MAX_FRAME_BYTES = 256 * 1024;
/**
 * A `file_upload` frame carries a whole file (content up to MAX_FILE_CHARS), so it may be larger
 * than other frames: room for 1 MiB of text even when JSON escaping grows it (newlines, quotes,
 * tabs) — files are UTF-8 text (binaries are refused), so 4 MiB is ample. Every other frame
 * keeps MAX_FRAME_BYTES. The server refuses with E_TOO_LARGE and keeps the socket open either way.
 */
export const MAX_FILE_FRAME_BYTES = 4 * 1024 * 1024;

/** The size limit of one frame of the given type (see MAX_FRAME_BYTES, MAX_FILE_FRAME_BYTES). */
export function maxFrameBytes(type: string | undefined): number {
  return type === 'file_upload' ? MAX_FILE_FRAME_BYTES : MAX_FRAME_BYTES;
}
export const MAX_CHAT_CHARS = 8_000;
export const MAX_OUTPUT_CHUNK_CHARS = 64 * 1024;
export const MAX_FILE_CHARS = 1024 * 1024 + 64 * 1024;
export const MAX_COMMAND_CHARS = 4_000;
export const MAX_PATH_CHARS = 4_096;
export const MAX_REASON_CHARS = 1_000;
/** A command request's working directory (project-relative), in characters. */
export const MAX_CWD_CHARS = 1_024;
/** Bounds of a command request's `timeoutSeconds`: one second to one hour. */
export const MIN_COMMAND_TIMEOUT_SECONDS = 1;
export const MAX_COMMAND_TIMEOUT_SECONDS = 3_600;
/** An engineer's resolution note when ending a session, in characters. */
export const MAX_RESOLUTION_CHARS = 2_000;
