import { hasForbiddenControls } from './untrustedText';

/**
 * Why `cwd` cannot be a command request's working directory, or undefined when it can. A cwd
 * names a folder inside the customer's project, relative to its root and `/`-separated, as
 * paths travel on the wire: no absolute path (`/x`, `C:\x`, `\\server`), no backslash, no `..`
 * segment, nothing invisible. This is the lexical half; the CLI confines the real folder as
 * well (symbolic links), since only the customer's machine knows its file system.
 */
export function cwdProblem(cwd: string): string | undefined {
  if (cwd.trim() === '') return 'must not be empty (omit it to run in the project root)';
  if (hasForbiddenControls(cwd)) return 'must not contain NUL, newlines, other control characters or bidi controls';
  if (cwd.startsWith('/') || /^[A-Za-z]:/.test(cwd)) return 'must be relative to the project root, not absolute';
  if (cwd.includes('\\')) return 'must use / between folder names';
  if (cwd.split('/').includes('..')) return 'must not contain .. (it has to stay inside the project)';
  return undefined;
}
