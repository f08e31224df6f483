import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { CodevfError } from './errors';
import { envValue, isWindowsAbsolute } from './platformEnv';

export interface Paths {
  /** ~/.config/codevf, $XDG_CONFIG_HOME/codevf or %APPDATA%\codevf. */
  configDir: string;
  /** The stored login (docs/PROTOCOL.md §4). */
  authFile: string;
  /** The server of the last login; survives logout (not a secret). */
  serverFile: string;
}

/**
 * Where CodeVF keeps its per-user files; `env` and `platform` are parameters so tests need no
 * globals, and the path syntax follows `platform`, not the machine running the code.
 *
 * Decision: macOS uses the XDG layout (`~/.config/codevf`, `$XDG_CONFIG_HOME` honoured) like
 * Linux, not `~/Library/Application Support`: command-line tools keep their settings there on
 * macOS too (git, gh), and moving it would log every macOS user out on upgrade. Windows uses the roaming `%APPDATA%` (per-user, ACL'd to that user).
 */
export function resolvePaths(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): Paths {
  if (platform === 'win32') {
    const appData = windowsAbsolute(envValue(env, 'APPDATA', platform));
    const profile = windowsAbsolute(envValue(env, 'USERPROFILE', platform));
    const roaming = appData ?? (profile ? win32.join(profile, 'AppData', 'Roaming') : undefined);
    if (!roaming) {
      throw new CodevfError('E_CONFIG_INVALID', 'Cannot find the user configuration folder: APPDATA is not set.', {
        hint: 'Set APPDATA to your roaming application-data folder, e.g. C:\\Users\\you\\AppData\\Roaming.',
      });
    }
    const configDir = win32.join(roaming, 'codevf');
    return {
      configDir,
      authFile: win32.join(configDir, 'auth.json'),
      serverFile: win32.join(configDir, 'server.json'),
    };
  }
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : undefined;
  const home = env.HOME || homedir();
  const configDir = posix.join(xdg ?? posix.join(home, '.config'), 'codevf');
  return { configDir, authFile: posix.join(configDir, 'auth.json'), serverFile: posix.join(configDir, 'server.json') };
}

const windowsAbsolute = (value: string | undefined) =>
  value !== undefined && isWindowsAbsolute(value) ? value : undefined;
