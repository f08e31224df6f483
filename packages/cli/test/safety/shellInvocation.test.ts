import { describe, expect, it } from 'vitest';
import { shellInvocation, systemRoot, windowsShell } from '../../src/safety/shellInvocation';

/** A Windows machine as the tests describe it: which absolute paths hold an executable. */
const machine =
  (...files: string[]) =>
  (file: string) =>
    files.includes(file);
const nothing = machine();

const CMD = 'C:\\Windows\\System32\\cmd.exe';
const POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const PWSH = 'C:\\Program Files\\PowerShell\\7\\pwsh.exe';

/**
 * What cmd.exe executes for `/d /s /c <rest>`: with /s it removes the first and the last quote
 * of <rest> and runs the text in between as it is (`cmd /?`). The arguments are passed
 * verbatim, so <rest> is the fourth argument exactly.
 */
function cmdRuns(args: string[]): string {
  expect(args.slice(0, 3)).toEqual(['/d', '/s', '/c']);
  const rest = args.slice(3).join(' ');
  const first = rest.indexOf('"');
  const last = rest.lastIndexOf('"');
  return rest.slice(0, first) + rest.slice(first + 1, last) + rest.slice(last + 1);
}

describe('shellInvocation on Windows (cmd.exe, the default)', () => {
  it('hands the string to cmd.exe unchanged', () => {
    expect(shellInvocation('echo "hi" & dir', { ComSpec: 'C:\\Windows\\system32\\cmd.exe' }, 'win32')).toEqual({
      file: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', '"echo "hi" & dir"'],
      windowsVerbatimArguments: true,
    });
  });

  it('runs exactly what was approved, whatever quotes and metacharacters it holds', () => {
    for (const command of [
      'dir',
      'echo "hi" & dir',
      'echo "unbalanced',
      '"C:\\Program Files\\nodejs\\node.exe" -e "console.log(1)"',
      'findstr /c:"a b" *.txt | sort > out.txt 2>&1',
      'echo %PATH% ^& !x! && exit /b 3',
      '""',
      ' leading and trailing spaces ',
      'echo ünïcødé ✓',
    ]) {
      const { args } = shellInvocation(command, {}, 'win32', nothing);
      expect(cmdRuns(args), command).toBe(command);
    }
  });

  it('refuses a multi-line command instead of running its first line only', () => {
    for (const command of ['echo one\necho two', 'echo one\r\necho two', 'echo one\recho two', 'echo one\n']) {
      expect(() => shellInvocation(command, {}, 'win32', nothing), JSON.stringify(command)).toThrow(
        'cmd.exe runs only the first line of a multi-line command; join the lines with & (or the customer sets CODEVF_SHELL=powershell)',
      );
    }
  });

  it('starts cmd.exe by absolute path: ComSpec, else %SystemRoot%\\System32, never a bare name', () => {
    expect(shellInvocation('ver', {}, 'win32', nothing).file).toBe(CMD);
    expect(shellInvocation('ver', { SystemRoot: 'D:\\WINNT' }, 'win32', nothing).file).toBe(
      'D:\\WINNT\\System32\\cmd.exe',
    );
    // A relative ComSpec or SystemRoot would resolve in the project folder, where a repository
    // may ship its own cmd.exe.
    for (const env of [{ ComSpec: 'cmd.exe' }, { ComSpec: '.\\cmd.exe', SystemRoot: 'Windows' }, { COMSPEC: '' }]) {
      expect(shellInvocation('ver', env, 'win32', nothing).file, JSON.stringify(env)).toBe(CMD);
    }
  });

  it('reads variable names case-insensitively, as Windows does', () => {
    expect(shellInvocation('ver', { COMSPEC: 'E:\\tools\\cmd.exe' }, 'win32', nothing).file).toBe('E:\\tools\\cmd.exe');
    expect(systemRoot({ SYSTEMROOT: 'D:\\Win' })).toBe('D:\\Win');
    expect(windowsShell({ codevf_shell: 'PowerShell' }, nothing)).toEqual({ shell: 'powershell', file: POWERSHELL });
  });
});

describe('shellInvocation on Windows with CODEVF_SHELL', () => {
  it('powershell: Windows PowerShell from System32, the command as one argument', () => {
    const command = 'Get-ChildItem -Filter "*.ts" | ForEach-Object { $_.Name }\nnpm test; exit $LASTEXITCODE';
    expect(shellInvocation(command, { CODEVF_SHELL: 'powershell' }, 'win32', nothing)).toEqual({
      file: POWERSHELL,
      args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', command],
      // Node quotes the argument by the rules PowerShell's argument parsing undoes.
      windowsVerbatimArguments: false,
    });
    for (const setting of ['PowerShell', 'powershell.exe', ' POWERSHELL.EXE ']) {
      expect(windowsShell({ CODEVF_SHELL: setting }, nothing), setting).toEqual({
        shell: 'powershell',
        file: POWERSHELL,
      });
    }
  });

  it('pwsh: PowerShell 7 from the absolute folders of PATH only', () => {
    const env = { CODEVF_SHELL: 'pwsh', Path: `.;tools;;"C:\\Program Files\\PowerShell\\7";C:\\Windows` };
    // `.` and `tools` would be the project: skipped even when they hold a pwsh.exe.
    const isExecutable = machine('.\\pwsh.exe', 'tools\\pwsh.exe', 'pwsh.exe', PWSH);
    expect(shellInvocation('$PSVersionTable', env, 'win32', isExecutable)).toEqual({
      file: PWSH,
      args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '$PSVersionTable'],
      windowsVerbatimArguments: false,
    });
    expect(windowsShell({ CODEVF_SHELL: 'pwsh', PATH: 'D:\\ps7;C:\\Windows' }, machine('D:\\ps7\\pwsh.exe')).file).toBe(
      'D:\\ps7\\pwsh.exe',
    );
    expect(() => windowsShell(env, machine('.\\pwsh.exe', 'tools\\pwsh.exe'))).toThrow(
      'CODEVF_SHELL=pwsh, but pwsh.exe is in no folder of PATH',
    );
    expect(() => windowsShell({ CODEVF_SHELL: 'pwsh' }, nothing)).toThrow(/pwsh\.exe is in no folder of PATH/);
  });

  it('the absolute path of a known shell, when it exists', () => {
    expect(windowsShell({ CODEVF_SHELL: PWSH }, machine(PWSH))).toEqual({ shell: 'pwsh', file: PWSH });
    expect(windowsShell({ CODEVF_SHELL: 'D:/tools/cmd.exe' }, machine('D:/tools/cmd.exe'))).toEqual({
      shell: 'cmd',
      file: 'D:/tools/cmd.exe',
    });
    const mustBe = 'CODEVF_SHELL must be cmd, powershell, pwsh or the absolute path of one that exists';
    expect(() => windowsShell({ CODEVF_SHELL: PWSH }, nothing)).toThrow(mustBe);
    for (const relative of [
      'tools\\pwsh.exe',
      '.\\powershell.exe',
      'C:pwsh.exe',
      '\\ps\\pwsh.exe',
      '\\\\?\\C:\\pwsh.exe',
    ]) {
      expect(() => windowsShell({ CODEVF_SHELL: relative }, () => true), relative).toThrow(mustBe);
    }
  });

  it('an unknown shell is an error, never a fall-back to another shell', () => {
    for (const setting of ['bash', 'wsl', 'cmd2', 'C:\\Git\\bin\\bash.exe', 'sh -c']) {
      expect(() => shellInvocation('dir', { CODEVF_SHELL: setting }, 'win32', () => true), setting).toThrow(
        'CODEVF_SHELL names an unknown shell: use cmd, powershell or pwsh (or the full path of one)',
      );
    }
    // Empty or blank means the default.
    expect(windowsShell({ CODEVF_SHELL: '  ' }, nothing)).toEqual({ shell: 'cmd', file: CMD });
  });
});

describe('shellInvocation on POSIX', () => {
  it('uses $SHELL -c when it is an absolute executable, else /bin/sh', () => {
    expect(shellInvocation('ls -la', { SHELL: '/bin/bash' }, 'linux')).toEqual({
      file: '/bin/bash',
      args: ['-c', 'ls -la'],
      windowsVerbatimArguments: false,
    });
    expect(shellInvocation('ls', {}, 'darwin').file).toBe('/bin/sh');
    expect(shellInvocation('ls', { SHELL: 'bash' }, 'linux', () => true).file).toBe('/bin/sh');
    expect(shellInvocation('ls', { SHELL: '/opt/zsh' }, 'darwin', nothing).file).toBe('/bin/sh');
    expect(shellInvocation('ls', { SHELL: '/opt/zsh' }, 'darwin', machine('/opt/zsh')).file).toBe('/opt/zsh');
  });

  it('ignores CODEVF_SHELL and runs multi-line commands whole', () => {
    expect(shellInvocation('echo 1\necho 2', { SHELL: '/bin/sh', CODEVF_SHELL: 'powershell' }, 'linux')).toEqual({
      file: '/bin/sh',
      args: ['-c', 'echo 1\necho 2'],
      windowsVerbatimArguments: false,
    });
  });
});
