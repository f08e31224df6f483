import { type ApiClient, createApiClient } from './api';
import { type AuthStore, createAuthStore } from './authStore';
import { normalizeBaseUrl, resolveServer } from './baseUrl';
import type { CommandContext } from './command';
import type { Transport } from './http';
import type { IO } from './io';
import { type Paths, resolvePaths } from './paths';
import { createServerStore, type ServerStore } from './serverStore';
import { abortableSleep } from './sleep';

/** Replaceable parts, for tests; production uses the defaults. */
export interface ContextOverrides {
  transport?: Transport;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  openBrowser?: (url: string) => Promise<boolean>;
  platform?: NodeJS.Platform;
  /** The folder the command runs in (default: the process's working directory). */
  cwd?: string;
  /** Default per-request timeout of the API client. */
  timeoutMs?: number;
}

export interface ContextOptions {
  io: IO;
  json: boolean;
  /** Value of the global --base-url flag. */
  baseUrlFlag?: string;
  signal: AbortSignal;
  overrides?: ContextOverrides;
}

const once = <T>(make: () => T): (() => T) => {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
};

export function createContext(options: ContextOptions): CommandContext {
  const { io, signal, overrides = {} } = options;
  const now = overrides.now ?? Date.now;
  const platform = overrides.platform ?? process.platform;
  const paths = once<Paths>(() => resolvePaths(io.env, platform));
  const authStore = once<AuthStore>(() => createAuthStore(paths().authFile));
  const serverStore = once<ServerStore>(() => createServerStore(paths().serverFile));
  const server = once(() =>
    resolveServer({
      flag: options.baseUrlFlag,
      env: io.env.CODEVF_API_URL,
      remembered: async () => {
        const remembered = serverStore().read();
        if (remembered) return remembered;
        // A login made before server.json existed names its server only in auth.json. A corrupt
        // auth.json names no server; the command that needs the login reports it.
        const login = await authStore()
          .read()
          .catch(() => null);
        return login?.baseUrl;
      },
    }),
  );
  const baseUrl = async () => (await server()).baseUrl;
  const apiAt = (url: string): ApiClient =>
    createApiClient({
      baseUrl: normalizeBaseUrl(url, 'the server address'),
      authStore: authStore(),
      transport: overrides.transport,
      now,
      signal,
      timeoutMs: overrides.timeoutMs,
    });
  const api = once<Promise<ApiClient>>(async () => apiAt(await baseUrl()));
  const line = (text: string) => io.err(text.endsWith('\n') ? text : `${text}\n`);

  return {
    io,
    json: options.json,
    signal,
    now,
    platform,
    cwd: () => overrides.cwd ?? process.cwd(),
    sleep: (ms) => (overrides.sleep ?? abortableSleep)(ms, signal),
    paths,
    authStore,
    serverStore,
    server,
    baseUrl,
    api,
    apiAt,
    openBrowser: overrides.openBrowser ?? openInBrowser,
    status: line,
    warn: (text) => line(`${io.style('yellow', 'Warning:')} ${text}`),
  };
}

/** The `open` package is loaded only here, when a browser is actually wanted. */
async function openInBrowser(url: string): Promise<boolean> {
  try {
    const { default: open } = await import('open');
    const child = await open(url);
    // `open` rejects when the opener cannot start (caught below); an 'error' event after it
    // started must not crash the CLI.
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
