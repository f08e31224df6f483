import nodePath, { type PlatformPath } from 'node:path';

/**
 * The lexical half of project confinement (projectFile.ts does the file-system half: real
 * paths, symbolic links, file types). Pure string work in the syntax of `path`, which defaults
 * to the running platform's; tests pass `path.win32` to check Windows rules on any machine.
 *
 *   const c = confinePath(realRoot, projectRootAsGiven, request.path);
 *   if ('reason' in c) refuse(c.reason); else realpath(c.lexical) …
 *
 * Windows (`path.win32`): comparisons ignore case (`c:\PROJ` is `C:\proj`), `/` and `\` both
 * separate, another drive is outside, and names the file system would read differently from how
 * they look are refused before any file is touched: `\\?\` and `\\.\` prefixes (they skip
 * Windows' own normalisation), drive-relative paths (`C:name`, relative to a per-drive folder),
 * alternate data streams (`file.txt:secret`, `file.txt::$DATA`), device names (`CON`, `NUL`,
 * `COM1`, `nul.txt`…), names ending in a dot or space (Windows drops them, so `.env.` opens
 * `.env`) and characters Windows forbids in names. A UNC path is only compared, never opened,
 * unless it is inside the root: refusing early also means no SMB connection is ever attempted to
 * a server the engineer names. 8.3 short names (`SECRET~1.ENV`) need no rule here: the real path,
 * which projectFile.ts checks as well, carries the long name.
 */

export type Confined = { lexical: string } | { reason: string };

export function confinePath(
  root: string,
  givenRoot: string,
  requestedPath: string,
  path: PlatformPath = nodePath,
): Confined {
  if (isWindows(path)) {
    const problem = windowsNameProblem(requestedPath);
    if (problem) return { reason: problem };
  }
  const resolved = path.resolve(root, requestedPath);
  if (!path.isAbsolute(requestedPath)) {
    return isInside(root, resolved, path) ? { lexical: resolved } : { reason: 'path escapes the project root' };
  }
  // An absolute path may name the root as the customer knows it (e.g. through a symlinked
  // home directory) or as its real path; anything else is outside.
  const given = path.resolve(givenRoot);
  if (isInside(root, resolved, path)) return { lexical: resolved };
  if (isInside(given, resolved, path)) return { lexical: path.join(root, path.relative(given, resolved)) };
  return { reason: 'absolute path outside the project root' };
}

/** True when `p` is `root` or below it, in `path`'s syntax (case-insensitive on Windows). */
export function isInside(root: string, p: string, path: PlatformPath = nodePath): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** `p` with `/` separators, as paths travel on the wire. */
export function toPosix(p: string, path: PlatformPath = nodePath): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

const isWindows = (path: PlatformPath) => path.sep === '\\';

/** CON, PRN, AUX, NUL, COM0-9 and LPT0-9 (also with ¹²³), CONIN$, CONOUT$. */
const DEVICE_NAME = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const FORBIDDEN_CHAR = /[<>"|?*\u0001-\u001f]/;

/** Why Windows would read `requestedPath` as something other than the file it looks like, if it would. */
export function windowsNameProblem(requestedPath: string): string | undefined {
  if (/^[\\/]{2}[?.][\\/]/.test(requestedPath)) {
    return 'Windows device and long-path prefixes (\\\\?\\, \\\\.\\) are not accepted';
  }
  if (FORBIDDEN_CHAR.test(requestedPath)) return 'the path contains a character Windows does not allow in names';
  const afterDrive = /^[A-Za-z]:[\\/]/.test(requestedPath) ? requestedPath.slice(2) : requestedPath;
  if (afterDrive.includes(':')) {
    return /^[A-Za-z]:/.test(afterDrive)
      ? 'drive-relative paths (C:name) are not accepted'
      : 'alternate data streams (name:stream) are not accepted';
  }
  for (const name of requestedPath.split(/[\\/]/)) {
    if (name === '' || name === '.' || name === '..') continue;
    if (/[. ]$/.test(name)) return 'a name ends in a dot or a space, which Windows drops';
    if (DEVICE_NAME.test((name.split('.')[0] ?? '').trimEnd()))
      return 'the path names a Windows device (CON, NUL, COM1…)';
  }
  return undefined;
}
