import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/core/paths';

describe('config paths', () => {
  it('uses ~/.config/codevf by default', () => {
    expect(resolvePaths({ HOME: '/home/ada' }, 'linux')).toEqual({
      configDir: '/home/ada/.config/codevf',
      authFile: '/home/ada/.config/codevf/auth.json',
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

  it('uses %APPDATA%\\codevf on Windows', () => {
    const p = resolvePaths({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming', XDG_CONFIG_HOME: '/ignored' }, 'win32');
    expect(p.configDir.replace(/\\/g, '/')).toBe('C:/Users/ada/AppData/Roaming/codevf');
    expect(() => resolvePaths({}, 'win32')).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID' }));
  });
});
