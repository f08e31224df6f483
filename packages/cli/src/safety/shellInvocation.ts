import { accessSync, constants, statSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { envValue, isWindowsAbsolute } from '../core/platformEnv';

/**
 * Which program runs an approved command, and with which arguments, so that the string the
 * customer approved is exactly what the shell reads — no quoting added or lost.
 *
 * - POSIX: `$SHELL -c <command>` (an absolute, executable `$SHELL`), else `/bin/sh -c`.
 * - Windows, default: `cmd.exe /d /s /c "<command>"`, passed verbatim — the call Node itself
 *   makes for `shell: true`. `/s` makes cmd.exe drop exactly the outer pair of quotes and read
 *   the rest unchanged; `/d` skips AutoRun commands from the registry. cmd.exe reads only the
 *   first line of its command line, so a multi-line command is refused, not run in part.
 * - Windows with `CODEVF_SHELL=powershell` (Windows PowerShell 5.1) or `pwsh` (PowerShell 7), or
 *   the absolute path of one of them: `-NoLogo -NoProfile -NonInteractive -Command <command>`,
 *   the command as one argument that Node quotes by the rules PowerShell's own argument parsing
 *   undoes, so PowerShell receives the string unchanged (multi-line included). Not
 *   `-EncodedCommand`: with it, PowerShell writes errors to a redirected stderr as CLIXML, and
 *   5.1 has no switch to stop that.
 *
 * Decision: on Windows the shell is always started by absolute path. Windows looks for a bare
 * program name in the child's working directory before PATH, and that directory is the
 * customer's project: a repository shipping its own `cmd.exe` would otherwise be what runs.
 * `ComSpec` and `SystemRoot` are used when absolute; `pwsh.exe` is looked up in PATH's absolute
 * folders only. `CODEVF_SHELL` is read on Windows only; elsewhere `$SHELL` decides. An unknown
 * `CODEVF_SHELL` is an error, never a silent fall-back to another shell.
 */

export interface ShellInvocation {
  file: string;
  args: string[];
  windowsVerbatimArguments: boolean;
}

/** A Windows shell CODEVF_SHELL may name. */
export type WindowsShell = 'cmd' | 'powershell' | 'pwsh';

/** Says whether an absolute path is an executable file; a parameter so tests can describe a machine. */
export type IsExecutable = (file: string) => boolean;

const WINDOWS_SHELLS: readonly WindowsShell[] = ['cmd', 'powershell', 'pwsh'];
const POWERSHELL_FLAGS = ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command'];

/**
 * How `command` is handed to the user's shell, unchanged. Throws an Error whose message is fit
 * for the engineer when it cannot be run exactly as approved.
 */
export function shellInvocation(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  isExecutable: IsExecutable = isExecutableFile,
): ShellInvocation {
  if (platform !== 'win32') {
    const shell = env.SHELL && posix.isAbsolute(env.SHELL) && isExecutable(env.SHELL) ? env.SHELL : '/bin/sh';
    return { file: shell, args: ['-c', command], windowsVerbatimArguments: false };
  }
  const { shell, file } = windowsShell(env, isExecutable);
  if (shell !== 'cmd') return { file, args: [...POWERSHELL_FLAGS, command], windowsVerbatimArguments: false };
  if (/[\r\n]/.test(command)) {
    throw new Error(
      'cmd.exe runs only the first line of a multi-line command; join the lines with & (or the customer sets CODEVF_SHELL=powershell)',
    );
  }
  return { file, args: ['/d', '/s', '/c', `"${command}"`], windowsVerbatimArguments: true };
}

/** The Windows shell CODEVF_SHELL chooses (default cmd), with its absolute path. */
export function windowsShell(
  env: NodeJS.ProcessEnv,
  isExecutable: IsExecutable = isExecutableFile,
): { shell: WindowsShell; file: string } {
  const setting = envValue(env, 'CODEVF_SHELL', 'win32')?.trim() || 'cmd';
  const isPath = /[\\/:]/.test(setting);
  const shell = WINDOWS_SHELLS.find(
    (s) =>
      s ===
      win32
        .basename(setting)
        .toLowerCase()
        .replace(/\.exe$/, ''),
  );
  if (!shell)
    throw new Error('CODEVF_SHELL names an unknown shell: use cmd, powershell or pwsh (or the full path of one)');
  if (isPath) {
    // Only an absolute path: a relative one would be looked up in the project.
    if (!isWindowsAbsolute(setting) || !isExecutable(setting)) {
      throw new Error('CODEVF_SHELL must be cmd, powershell, pwsh or the absolute path of one that exists');
    }
    return { shell, file: setting };
  }
  const system32 = win32.join(systemRoot(env), 'System32');
  if (shell === 'cmd') {
    const comSpec = envValue(env, 'ComSpec', 'win32');
    return { shell, file: comSpec && isWindowsAbsolute(comSpec) ? comSpec : win32.join(system32, 'cmd.exe') };
  }
  if (shell === 'powershell') {
    return { shell, file: win32.join(system32, 'WindowsPowerShell', 'v1.0', 'powershell.exe') };
  }
  const onPath = (envValue(env, 'Path', 'win32') ?? '')
    .split(';')
    .map((dir) => dir.trim().replace(/^"(.*)"$/, '$1'))
    .filter(isWindowsAbsolute)
    .map((dir) => win32.join(dir, 'pwsh.exe'))
    .find(isExecutable);
  if (!onPath) throw new Error('CODEVF_SHELL=pwsh, but pwsh.exe is in no folder of PATH');
  return { shell, file: onPath };
}

/** `%SystemRoot%` when it is absolute, else C:\Windows. */
export function systemRoot(env: NodeJS.ProcessEnv): string {
  const root = envValue(env, 'SystemRoot', 'win32');
  return root && isWindowsAbsolute(root) ? root : 'C:\\Windows';
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
