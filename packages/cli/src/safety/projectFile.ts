import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { MAX_FILE_CHARS } from '@codevf/protocol';
import { formatBytes } from '../core/formatBytes';
import { confinePath, isInside, toPosix } from './confinePath';
import type { Redactor } from './redactor';
import { isSensitivePath } from './sensitiveFiles';

/**
 * Confined file access for engineer file requests. Two steps, each safe on its own:
 *
 *   const info = await inspectProjectFile(root, request.path);        // before the prompt
 *   if (!info.ok) send approve_file {approved: false, refusedReason: info.reason}
 *   else ask the customer (typing the name when info.sensitive), then:
 *   const file = await readProjectFile(root, request.path, { redactor });
 *   if (file.ok) send file_upload {path: request.path, size, sha256, encoding: 'utf8', content, redactions}
 *
 * Confinement: the path is resolved against the project root's real path (confinePath.ts, which
 * also holds the Windows rules: case, drives, `\\?\`, streams, device names), then the target's
 * own real path must still be inside it, so neither `..` nor a symbolic link (anywhere in the
 * path) can reach outside. Refused: empty paths, absolute paths outside the root, escapes,
 * missing files, directories, devices/FIFOs/sockets, files over `maxBytes` (default 1 MiB) and
 * binary files (a NUL byte or invalid UTF-8). `reason` is one short sentence for the engineer.
 *
 * `relPath` is the real file's path relative to the root, `/`-separated: when a link inside the
 * project is requested, it names the file actually read (the upload still carries the requested
 * path, which the server checks against the request). `sensitive` is true when either the
 * requested path or the real one looks like a secrets file (so `notes.txt -> .env` asks for
 * the typed confirmation), or when the file has more than one hard link: its other names can
 * lie anywhere on the same file system, outside the project (`ln ~/.ssh/id_rsa notes.txt`), and
 * confinement by path cannot tell. Hard links are not refused, since package managers (pnpm's
 * store) create them legitimately; the customer confirms by typing the name, with
 * `sensitiveReason` saying why.
 *
 * Decision: `size` and `sha256` describe `content` exactly as sent (UTF-8 bytes, after
 * redaction, a BOM kept), so the engineer can verify what arrived; with no redactions they
 * equal the file on disk.
 *
 * `readProjectFile` checks everything again (the file may have changed while the customer was
 * deciding), opens the file without following a final symbolic link and without blocking on a
 * FIFO, and compares the opened file with the checked one.
 */

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export interface ProjectFileOptions {
  /** Largest file accepted, in bytes (`.codevf/config.json` may change it). */
  maxBytes?: number;
}

export type InspectResult =
  | { ok: true; relPath: string; absPath: string; size: number; sensitive: boolean; sensitiveReason?: string }
  | { ok: false; reason: string };

export type ReadResult =
  | {
      ok: true;
      relPath: string;
      size: number;
      sha256: string;
      content: string;
      redactions: number;
      sensitive: boolean;
    }
  | { ok: false; reason: string };

interface Resolved {
  relPath: string;
  absPath: string;
  stats: Stats;
  sensitive: boolean;
  sensitiveReason?: string;
}

/** Why the customer is asked to type the name, one sentence each (shown in the file prompt). */
export const SECRETS_FILE_REASON = 'This file usually holds secrets.';
export function hardLinkReason(links: number): string {
  return `This file is a hard link (${links} names for the same content): it may point outside the project, so check it is the file you mean.`;
}

export async function inspectProjectFile(
  projectRoot: string,
  requestedPath: string,
  options: ProjectFileOptions = {},
): Promise<InspectResult> {
  const r = await resolveProjectFile(projectRoot, requestedPath, options.maxBytes ?? DEFAULT_MAX_FILE_BYTES);
  if ('reason' in r) return { ok: false, reason: r.reason };
  return {
    ok: true,
    relPath: r.relPath,
    absPath: r.absPath,
    size: r.stats.size,
    sensitive: r.sensitive,
    ...(r.sensitiveReason ? { sensitiveReason: r.sensitiveReason } : {}),
  };
}

export async function readProjectFile(
  projectRoot: string,
  requestedPath: string,
  options: ProjectFileOptions & { redactor: Redactor },
): Promise<ReadResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const r = await resolveProjectFile(projectRoot, requestedPath, maxBytes);
  if ('reason' in r) return { ok: false, reason: r.reason };

  let bytes: Buffer;
  try {
    const handle = await open(
      r.absPath,
      constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
    );
    try {
      const opened = await handle.stat();
      if (!opened.isFile() || opened.dev !== r.stats.dev || opened.ino !== r.stats.ino) {
        return { ok: false, reason: 'the file changed while it was being checked' };
      }
      // Read one byte past the cap: the file may have grown since it was checked.
      const buf = Buffer.alloc(Math.min(opened.size, maxBytes) + 1);
      let length = 0;
      while (length < buf.length) {
        const { bytesRead } = await handle.read(buf, length, buf.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      if (length > maxBytes) return { ok: false, reason: tooLarge(length, maxBytes) };
      bytes = buf.subarray(0, length);
    } finally {
      await handle.close();
    }
  } catch (err) {
    return { ok: false, reason: accessReason(err) };
  }

  if (bytes.includes(0)) return { ok: false, reason: 'binary file (it contains NUL bytes)' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'binary file (it is not valid UTF-8 text)' };
  }
  const { text: content, redactions } = options.redactor.redact(text);
  if (content.length > MAX_FILE_CHARS) return { ok: false, reason: 'the file is too large to send after redaction' };
  const sent = Buffer.from(content, 'utf8');
  return {
    ok: true,
    relPath: r.relPath,
    size: sent.length,
    sha256: createHash('sha256').update(sent).digest('hex'),
    content,
    redactions,
    sensitive: r.sensitive,
  };
}

async function resolveProjectFile(
  projectRoot: string,
  requestedPath: string,
  maxBytes: number,
): Promise<Resolved | { reason: string }> {
  if (typeof requestedPath !== 'string' || requestedPath.trim() === '') return { reason: 'no path was given' };
  if (requestedPath.includes('\0')) return { reason: 'the path contains a NUL byte' };

  let root: string;
  try {
    root = await realpath(projectRoot);
  } catch {
    return { reason: 'the project root is not accessible' };
  }

  const confined = confinePath(root, projectRoot, requestedPath);
  if ('reason' in confined) return confined;
  const { lexical } = confined;

  let real: string;
  try {
    real = await realpath(lexical);
  } catch (err) {
    return { reason: accessReason(err) };
  }
  if (!isInside(root, real)) return { reason: 'path escapes the project root through a symbolic link' };

  let stats: Stats;
  try {
    stats = await stat(real);
  } catch (err) {
    return { reason: accessReason(err) };
  }
  if (stats.isDirectory()) return { reason: 'path is a directory, not a file' };
  if (!stats.isFile()) return { reason: 'not a regular file (a device, FIFO or socket)' };
  if (stats.size > maxBytes) return { reason: tooLarge(stats.size, maxBytes) };

  const relPath = toPosix(relative(root, real));
  const reasons: string[] = [];
  if (isSensitivePath(toPosix(relative(root, lexical))) || isSensitivePath(relPath)) reasons.push(SECRETS_FILE_REASON);
  if (stats.nlink > 1) reasons.push(hardLinkReason(stats.nlink));
  if (reasons.length === 0) return { relPath, absPath: real, stats, sensitive: false };
  return { relPath, absPath: real, stats, sensitive: true, sensitiveReason: reasons.join(' ') };
}

function accessReason(err: unknown): string {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'file does not exist';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return 'the file cannot be read';
  }
}

function tooLarge(size: number, maxBytes: number): string {
  let [a, b] = [formatBytes(size), formatBytes(maxBytes)];
  if (a === b) [a, b] = [`${size} bytes`, `${maxBytes} bytes`]; // "1 MiB; the limit is 1 MiB" says nothing
  return `file is too large (${a}; the limit is ${b})`;
}
