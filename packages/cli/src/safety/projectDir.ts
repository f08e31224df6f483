import { realpath, stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { cwdProblem } from '@codevf/protocol/shared';
import { confinePath, isInside, toPosix } from './confinePath';

/**
 * The folder an approved command runs in: `cwd` (relative to the project root, as the engineer
 * asked) confined like a requested file (projectFile.ts): the wire rules first (cwdProblem: not
 * absolute, no `..`), then the lexical check against the root's real path (confinePath.ts, with
 * the Windows name rules), then the folder's own real path must still be inside the root, so a
 * symbolic link anywhere in it cannot lead outside. The command is started in the real path, so
 * what was checked is what it runs in.
 *
 *   const dir = await resolveProjectDir(root, request.cwd);
 *   if (!dir.ok) refuse(dir.reason); else runApprovedCommand({ command, cwd: dir.absPath, … });
 *
 * `reason` is one short sentence for the engineer and the customer.
 */
export type ProjectDir = { ok: true; absPath: string; relPath: string } | { ok: false; reason: string };

export async function resolveProjectDir(projectRoot: string, cwd: string | undefined): Promise<ProjectDir> {
  let root: string;
  try {
    root = await realpath(projectRoot);
  } catch {
    return { ok: false, reason: 'the project root is not accessible' };
  }
  if (cwd === undefined) return { ok: true, absPath: root, relPath: '' };
  const problem = cwdProblem(cwd);
  if (problem) return { ok: false, reason: `the working directory ${problem}` };
  const confined = confinePath(root, projectRoot, cwd);
  if ('reason' in confined) return { ok: false, reason: `the working directory: ${confined.reason}` };
  let real: string;
  try {
    real = await realpath(confined.lexical);
  } catch (err) {
    return { ok: false, reason: accessReason(err) };
  }
  if (!isInside(root, real)) {
    return { ok: false, reason: 'the working directory escapes the project root through a symbolic link' };
  }
  try {
    if (!(await stat(real)).isDirectory()) return { ok: false, reason: 'the working directory is not a folder' };
  } catch (err) {
    return { ok: false, reason: accessReason(err) };
  }
  return { ok: true, absPath: real, relPath: toPosix(relative(root, real)) };
}

function accessReason(err: unknown): string {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'the working directory does not exist in the project';
    case 'ELOOP':
      return 'the working directory has too many levels of symbolic links';
    case 'EACCES':
    case 'EPERM':
      return 'the working directory cannot be opened (permission denied)';
    default:
      return 'the working directory cannot be opened';
  }
}
