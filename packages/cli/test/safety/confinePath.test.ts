import { posix, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confinePath, isInside, toPosix, windowsNameProblem } from '../../src/safety/confinePath';
import { isSensitivePath } from '../../src/safety/sensitiveFiles';

/** Windows semantics on any machine: the project lives in C:\work\proj. */
const ROOT = 'C:\\work\\proj';
const win = (requested: string, root = ROOT, given = root) => confinePath(root, given, requested, win32);
const lexical = (requested: string, root = ROOT) => {
  const c = win(requested, root);
  if ('reason' in c) throw new Error(`refused ${requested}: ${c.reason}`);
  return c.lexical;
};
const reason = (requested: string, root = ROOT) => {
  const c = win(requested, root);
  return 'reason' in c ? c.reason : undefined;
};

describe('confinePath with Windows paths', () => {
  it('accepts paths inside the project with either separator, mixed or not', () => {
    for (const p of ['src\\app.ts', 'src/app.ts', 'src/lib\\..\\app.ts', '.\\src\\.\\app.ts', 'src\\\\app.ts']) {
      expect(lexical(p), p).toBe('C:\\work\\proj\\src\\app.ts');
    }
    expect(lexical('.')).toBe(ROOT);
  });

  it('refuses escapes written with backslashes, slashes or both', () => {
    for (const p of ['..\\secret.txt', '../secret.txt', 'src\\..\\..\\secret.txt', 'src/..\\../secret.txt', '..']) {
      expect(reason(p), p).toBe('path escapes the project root');
    }
    // A sibling whose name starts with the project's is still outside.
    expect(reason('..\\proj-other\\x.txt')).toBe('path escapes the project root');
  });

  it('compares names without case, as the file system does', () => {
    // ..\PROJ is the project itself on Windows …
    expect(lexical('..\\PROJ\\src\\app.ts').toLowerCase()).toBe('c:\\work\\proj\\src\\app.ts');
    // … and going up again from it is still an escape.
    expect(reason('..\\PROJ\\..\\secret')).toBe('path escapes the project root');
    expect(reason('..\\Proj\\..\\..\\Windows\\win.ini')).toBe('path escapes the project root');
    // The same request under POSIX rules names a different folder, so it is an escape there.
    expect(confinePath('/work/proj', '/work/proj', '../PROJ/src/app.ts', posix)).toEqual({
      reason: 'path escapes the project root',
    });
  });

  it('accepts an absolute path on the same drive in any case, and refuses other drives', () => {
    expect(lexical('C:\\work\\proj\\src\\app.ts')).toBe('C:\\work\\proj\\src\\app.ts');
    expect(lexical('c:\\WORK\\Proj\\src\\app.ts').toLowerCase()).toBe('c:\\work\\proj\\src\\app.ts');
    expect(lexical('C:/work/proj/src/app.ts')).toBe('C:\\work\\proj\\src\\app.ts');
    for (const p of ['D:\\work\\proj\\src\\app.ts', 'd:/work/proj/.env', 'C:\\work\\secret.txt', 'C:\\']) {
      expect(reason(p), p).toBe('absolute path outside the project root');
    }
  });

  it('takes a path rooted without a drive on the project drive', () => {
    expect(lexical('\\work\\proj\\README.md')).toBe('C:\\work\\proj\\README.md');
    expect(reason('\\Windows\\System32\\config\\SAM')).toBe('absolute path outside the project root');
    expect(reason('/etc/passwd')).toBe('absolute path outside the project root');
  });

  it('accepts the root as the customer gave it when its real path differs', () => {
    // The project was opened through a junction: C:\Users\ada\proj -> D:\src\proj.
    expect(confinePath('D:\\src\\proj', 'C:\\Users\\ada\\proj', 'C:\\Users\\ada\\proj\\a.ts', win32)).toEqual({
      lexical: 'D:\\src\\proj\\a.ts',
    });
    expect(confinePath('D:\\src\\proj', 'C:\\Users\\ada\\proj', 'C:\\Users\\ada\\secret', win32)).toEqual({
      reason: 'absolute path outside the project root',
    });
  });

  it('confines a project on a UNC share, and refuses other shares without touching them', () => {
    const share = '\\\\fs01\\team\\proj';
    expect(lexical('src\\app.ts', share)).toBe('\\\\fs01\\team\\proj\\src\\app.ts');
    expect(lexical('\\\\FS01\\Team\\proj\\src\\app.ts', share).toLowerCase()).toBe('\\\\fs01\\team\\proj\\src\\app.ts');
    expect(reason('..\\other\\x', share)).toBe('path escapes the project root');
    expect(reason('..\\..\\..\\x', share)).toBe('path escapes the project root');
    expect(reason('\\\\attacker\\share\\x', share)).toBe('absolute path outside the project root');
    expect(reason('\\\\attacker\\share\\x')).toBe('absolute path outside the project root');
    expect(reason('//attacker/share/x')).toBe('absolute path outside the project root');
  });

  it('refuses \\\\?\\ and \\\\.\\ prefixes, even when they name a file inside the project', () => {
    for (const p of [
      '\\\\?\\C:\\work\\proj\\src\\app.ts',
      '\\\\?\\C:\\work\\proj\\..\\secret',
      '\\\\?\\UNC\\fs01\\team\\proj\\a.ts',
      '//?/C:/work/proj/a.ts',
      '\\\\.\\C:\\work\\proj\\a.ts',
      '\\\\.\\PhysicalDrive0',
      '//./pipe/codevf',
    ]) {
      expect(reason(p), p).toBe('Windows device and long-path prefixes (\\\\?\\, \\\\.\\) are not accepted');
    }
    expect(reason('\\??\\C:\\work\\proj\\a.ts')).toBe('the path contains a character Windows does not allow in names');
  });

  it('refuses alternate data streams and drive-relative paths', () => {
    for (const p of [
      'file.txt:secret',
      'file.txt::$DATA',
      '.env::$DATA',
      'src\\app.ts:Zone.Identifier:$DATA',
      'C:\\work\\proj\\file.txt:secret',
      'src:hidden\\x',
    ]) {
      expect(reason(p), p).toBe('alternate data streams (name:stream) are not accepted');
    }
    for (const p of ['C:secret.txt', 'D:..\\x', 'c:']) {
      expect(reason(p), p).toBe('drive-relative paths (C:name) are not accepted');
    }
  });

  it('refuses device names in any folder, case and extension', () => {
    for (const p of ['CON', 'nul', 'src\\NUL.txt', 'aux.tar.gz', 'COM1', 'com9.log', 'LPT1', 'lpt²', 'PRN', 'CONIN$']) {
      expect(reason(p), p).toBe('the path names a Windows device (CON, NUL, COM1…)');
    }
    expect(reason('con \\x')).toBe('a name ends in a dot or a space, which Windows drops');
    expect(reason('nul .txt')).toBe('the path names a Windows device (CON, NUL, COM1…)');
    for (const p of ['console.log', 'com10.txt', 'src\\null.ts', 'auxiliary\\x.ts', 'CONTRIBUTING.md', '.con']) {
      expect(reason(p), p).toBeUndefined();
    }
  });

  it('refuses names ending in a dot or a space, which Windows would silently drop', () => {
    for (const p of [
      '.env.',
      '.env ',
      'id_rsa.',
      'src.\\app.ts',
      'src \\app.ts',
      '...\\x',
      '.. \\secret',
      'a.txt. . ',
    ]) {
      expect(reason(p), p).toBe('a name ends in a dot or a space, which Windows drops');
    }
    expect(reason('.\\src\\..\\README.md')).toBeUndefined();
  });

  it('refuses characters Windows forbids in names', () => {
    for (const p of ['a<b.txt', 'a>b', 'say"hi".txt', 'a|b', 'what?.txt', '*.env', 'tab\there']) {
      expect(reason(p), p).toBe('the path contains a character Windows does not allow in names');
    }
  });

  it('leaves the Windows rules out under POSIX, where those are ordinary names', () => {
    for (const p of ['file.txt:secret', 'CON', 'notes.', 'a\\..\\..\\b', 'what?.txt']) {
      expect(confinePath('/work/proj', '/work/proj', p, posix), p).toEqual({ lexical: posix.join('/work/proj', p) });
    }
    expect(windowsNameProblem('src/app.ts')).toBeUndefined();
  });
});

describe('isInside and toPosix', () => {
  it('follow the syntax they are given', () => {
    expect(isInside('C:\\proj', 'c:\\PROJ\\a', win32)).toBe(true);
    expect(isInside('C:\\proj', 'D:\\proj\\a', win32)).toBe(false);
    expect(isInside('C:\\proj', 'C:\\proj-2\\a', win32)).toBe(false);
    expect(isInside('C:\\proj', 'C:\\proj\\..secret', win32)).toBe(true); // a name starting with two dots
    expect(isInside('/proj', '/PROJ/a', posix)).toBe(false);
    expect(toPosix('src\\lib\\a.ts', win32)).toBe('src/lib/a.ts');
    expect(toPosix('src\\lib/a.ts', posix)).toBe('src\\lib/a.ts');
  });
});

describe('sensitive names on Windows', () => {
  it('flags the relative path confinePath produces for them', () => {
    const rel = toPosix(win32.relative(ROOT, lexical('..\\PROJ\\Config\\.AWS\\Credentials')), win32);
    expect(rel).toBe('Config/.AWS/Credentials');
    expect(isSensitivePath(rel)).toBe(true);
  });
});
