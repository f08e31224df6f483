import { homedir } from 'node:os';
import { join } from 'node:path';
import { CodevfError } from './errors';

export interface Paths {
  /** ~/.config/codevf, $XDG_CONFIG_HOME/codevf or %APPDATA%\codevf. */
  configDir: string;
  /** The stored login (docs/PROTOCOL.md §4). */
  authFile: string;
}

/** Where CodeVF keeps its per-user files; `env` and `platform` are parameters so tests need no globals. */
export function resolvePaths(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): Paths {
  let configDir: string;
  if (platform === 'win32') {
    const appData = env.APPDATA || (env.USERPROFILE ? join(env.USERPROFILE, 'AppData', 'Roaming') : '');
    if (!appData)
      throw new CodevfError('E_CONFIG_INVALID', 'Cannot find the user configuration folder: APPDATA is not set.');
    configDir = join(appData, 'codevf');
  } else {
    // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    const xdg = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : undefined;
    const home = env.HOME || homedir();
    configDir = join(xdg ?? join(home, '.config'), 'codevf');
  }
  return { configDir, authFile: join(configDir, 'auth.json') };
}
