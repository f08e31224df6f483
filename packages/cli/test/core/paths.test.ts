import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/core/paths';

describe('config paths', () => {
  it('uses ~/.config/codevf by default', () => {
    expect(resolvePaths({ HOME: '/home/ada' }, 'linux')).toEqual({
      configDir: '/home/ada/.config/codevf',
      authFile: '/home/ada/.config/codevf/auth.json',
      serverFile: '/home/ada/.config/codevf/server.json',
    });
  });

  it('honours an absolute XDG_CONFIG_HOME and ignores a relative one', () => {
    expect(resolvePaths({ HOME: '/home/ada', XDG_CONFIG_HOME: '/xdg' }, 'linux').authFile).toBe(
      '/xdg/codevf/auth.json',
    );
    expect(resolvePaths({ HOME: '/home/ada', XDG_CONFIG_HOME: 'rel' }, 'darwin').authFile).toBe(
      '/home/ada/.config/codevf/auth.json',
    );
  });

  it('keeps the XDG layout on macOS, not ~/Library/Application Support', () => {
    expect(resolvePaths({ HOME: '/Users/ada' }, 'darwin')).toEqual({
      configDir: '/Users/ada/.config/codevf',
      authFile: '/Users/ada/.config/codevf/auth.json',
      serverFile: '/Users/ada/.config/codevf/server.json',
    });
    expect(resolvePaths({ HOME: '/Users/ada', XDG_CONFIG_HOME: '/Users/ada/xdg' }, 'darwin').configDir).toBe(
      '/Users/ada/xdg/codevf',
    );
  });

  it('uses %APPDATA%\\codevf on Windows, with Windows separators', () => {
    expect(
      resolvePaths(
        { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming', XDG_CONFIG_HOME: '/ignored', HOME: '/ignored' },
        'win32',
      ),
    ).toEqual({
      configDir: 'C:\\Users\\ada\\AppData\\Roaming\\codevf',
      authFile: 'C:\\Users\\ada\\AppData\\Roaming\\codevf\\auth.json',
      serverFile: 'C:\\Users\\ada\\AppData\\Roaming\\codevf\\server.json',
    });
    // Forward slashes in the variable are normalised; a UNC profile (roaming profiles) works.
    expect(resolvePaths({ APPDATA: 'D:/Profiles/ada/Roaming' }, 'win32').authFile).toBe(
      'D:\\Profiles\\ada\\Roaming\\codevf\\auth.json',
    );
    expect(resolvePaths({ APPDATA: '\\\\fs01\\profiles\\ada\\Roaming' }, 'win32').configDir).toBe(
      '\\\\fs01\\profiles\\ada\\Roaming\\codevf',
    );
  });

  it('reads Windows variables case-insensitively, as Windows does', () => {
    expect(resolvePaths({ AppData: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32').configDir).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\codevf',
    );
    expect(resolvePaths({ userprofile: 'C:\\Users\\ada' }, 'win32').configDir).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\codevf',
    );
    // Elsewhere names are case-sensitive: `home` is not HOME.
    expect(resolvePaths({ HOME: '/home/ada', xdg_config_home: '/xdg' }, 'linux').configDir).toBe(
      '/home/ada/.config/codevf',
    );
  });

  it('falls back to %USERPROFILE%\\AppData\\Roaming, and ignores relative or drive-less values', () => {
    expect(resolvePaths({ USERPROFILE: 'C:\\Users\\ada' }, 'win32').authFile).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\codevf\\auth.json',
    );
    for (const bad of ['AppData\\Roaming', '\\Users\\ada\\AppData\\Roaming', 'C:relative', '']) {
      expect(resolvePaths({ APPDATA: bad, USERPROFILE: 'E:\\home\\ada' }, 'win32').configDir, bad).toBe(
        'E:\\home\\ada\\AppData\\Roaming\\codevf',
      );
    }
  });

  it('fails with E_CONFIG_INVALID and a hint when Windows names no usable folder', () => {
    for (const env of [{}, { HOME: '/home/ada' }, { APPDATA: 'Roaming', USERPROFILE: 'ada' }]) {
      expect(() => resolvePaths(env, 'win32')).toThrow(
        expect.objectContaining({ code: 'E_CONFIG_INVALID', hint: expect.stringContaining('APPDATA') }),
      );
    }
  });
});
