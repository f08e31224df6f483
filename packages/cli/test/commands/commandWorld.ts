import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { COMMANDS } from '../../src/commands/registry';
import { createAuthStore, type StoredAuth } from '../../src/core/authStore';
import type { CommandContext, CommandModule, FlagSpecs, ParsedArgs } from '../../src/core/command';
import { type ContextOverrides, createContext } from '../../src/core/context';
import { main } from '../../src/core/main';
import { createMemoryIO, type MemoryIO } from '../../src/core/memoryIO';
import { cleanup, isolateGit } from '../project/gitFixture';
import { type FakeApiServer, startFakeApiServer } from './fakeApiServer';

export interface WorldOptions {
  /** Extra environment for the command (CODEVF_API_URL, DISPLAY, …). */
  env?: Record<string, string>;
  /** stdin, stdout and stderr are terminals. */
  tty?: boolean;
  /** As `tty`, and stdin can be put in raw mode, so a full-screen UI (Ink) runs in memory. */
  terminal?: boolean;
  /** The folder the command runs in (default: an empty temp folder). */
  cwd?: string;
  overrides?: ContextOverrides;
}

/**
 * A command's surroundings, all in memory or in temp folders: a config folder of its own (so
 * auth.json is the test's), a working folder, and instant sleeps. `handle` calls a handler
 * directly with a context built the way the runner builds it; `run` goes through the runner
 * (flag parsing, the `--json` envelope, exit codes) with the same context.
 */
export function createCommandWorld() {
  const root = mkdtempSync(join(tmpdir(), 'codevf-cmd-'));
  const configHome = join(root, 'config');
  const defaultCwd = join(root, 'work');
  mkdirSync(defaultCwd, { recursive: true });
  const opened: string[] = [];

  function setup(options: WorldOptions) {
    const io = createMemoryIO({
      env: { XDG_CONFIG_HOME: configHome, ...options.env },
      tty: options.tty || options.terminal,
    });
    if (options.terminal) Object.assign(io.stdin, { isTTY: true, setRawMode: () => io.stdin });
    const overrides: ContextOverrides = {
      sleep: async () => {},
      cwd: options.cwd ?? defaultCwd,
      openBrowser: async (url) => {
        opened.push(url);
        return true;
      },
      ...options.overrides,
    };
    return { io, overrides };
  }

  return {
    /** Where the command's auth.json lives. */
    authFile: join(configHome, 'codevf', 'auth.json'),
    /** Where the server of the last login is remembered (kept across logout). */
    serverFile: join(configHome, 'codevf', 'server.json'),
    /** The folder commands run in unless a test names another. */
    cwd: defaultCwd,
    /** Stores a login as `codevf login` would. */
    storeLogin: (auth: StoredAuth) => createAuthStore(join(configHome, 'codevf', 'auth.json')).write(auth),
    /** The stored login, or null. */
    readLogin: () => createAuthStore(join(configHome, 'codevf', 'auth.json')).read(),
    /** URLs the command asked to open in a browser. */
    opened,
    /** A context like the runner's, for calling a store or client the way a handler would. */
    context(options: WorldOptions & { json?: boolean } = {}): { ctx: CommandContext; io: MemoryIO } {
      const { io, overrides } = setup(options);
      const ctx = createContext({ io, json: options.json ?? false, signal: new AbortController().signal, overrides });
      return { ctx, io };
    },
    /** Calls the handler; `error` is what it threw (undefined on success). */
    async handle<F extends FlagSpecs, R>(
      command: CommandModule<F, R>,
      parsed: { args?: ParsedArgs<F>['args']; flags?: Partial<ParsedArgs<F>['flags']> } = {},
      options: WorldOptions & { json?: boolean; baseUrlFlag?: string; signal?: AbortSignal } = {},
    ) {
      const { io, overrides } = setup(options);
      const ctx = createContext({
        io,
        json: options.json ?? false,
        baseUrlFlag: options.baseUrlFlag,
        signal: options.signal ?? new AbortController().signal,
        overrides,
      });
      const full = { args: parsed.args ?? {}, flags: (parsed.flags ?? {}) as ParsedArgs<F>['flags'] };
      try {
        const result = await command.handler(full, ctx);
        return { result, error: undefined, io, ctx };
      } catch (error) {
        return { result: undefined, error, io, ctx };
      }
    },
    /** Runs `codevf <argv>` through the runner with the real command registry, in process. */
    async run(argv: string[], options: WorldOptions = {}) {
      const { io, overrides } = setup(options);
      const code = await main(argv, { io, overrides, commands: COMMANDS });
      const stdout = io.stdoutText();
      return { code, stdout, stderr: io.stderrText(), json: () => JSON.parse(stdout) as Record<string, unknown> };
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export type CommandWorld = ReturnType<typeof createCommandWorld>;

/** An address where nothing listens: a port that was just free. */
export async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * Registers the hooks every command test file needs: one fake API server for the file, reset
 * before each test, and a fresh world per test (cleaned up after it). `use` hands both to the
 * file's own variables before each test; the file's own hooks run after these.
 */
export function withCommandWorld(use: (server: FakeApiServer, world: CommandWorld) => void): void {
  let server: FakeApiServer | undefined;
  let world: CommandWorld | undefined;
  beforeAll(async () => {
    server = await startFakeApiServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    if (!server) throw new Error('the fake API server did not start');
    server.reset();
    world = createCommandWorld();
    use(server, world);
  });
  afterEach(() => world?.cleanup());
}

/**
 * As `withCommandWorld`, for the commands that work on a project in a git repository while
 * logged in: git runs without the machine's configuration, each test starts with a stored
 * login, and the folders the test puts in the returned list are removed after it.
 */
export function withLoggedInRepoWorld(use: (server: FakeApiServer, world: CommandWorld) => void): string[] {
  const dirs: string[] = [];
  let login: (() => Promise<void>) | undefined;
  withCommandWorld((server, world) => {
    login = () => world.storeLogin(server.login());
    use(server, world);
  });
  beforeAll(() => isolateGit());
  beforeEach(async () => {
    await login?.();
  });
  afterEach(() => {
    for (const dir of dirs.splice(0)) cleanup(dir);
  });
  return dirs;
}
