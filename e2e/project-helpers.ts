/**
 * Shared by the project e2e tests (init, sync): one real server per file, a fresh temp HOME with
 * a customer logged in for each test, real git repositories in temp dirs (git itself isolated
 * from the machine's configuration, see gitFixture), and tar.gz extraction.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { cleanup, gitEnv, makeRepo, PNPM_PROJECT, tempDir } from '../packages/cli/test/project/gitFixture';
import { startTestServer, type TestServer, type TestUser } from '../packages/server/test/support/testServer';
import { createTempHome, runCli, storeLogin } from './harness/cli';

export { git, writeTree } from '../packages/cli/test/project/gitFixture';

/**
 * Registers the file's hooks: the server starts once; each test gets a new customer logged in
 * (on disk) in a new HOME; after each test that HOME and every folder from `tempDir`/`nodeRepo`
 * are removed. Read the fields inside tests or hooks.
 */
export function useProjectWorld() {
  let server: TestServer | undefined;
  let current: { user: TestUser; token: string; home: string; cleanupHome: () => void } | undefined;
  const dirs: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    const s = world.server;
    const { home, cleanup: cleanupHome } = createTempHome();
    const user = await s.createUser({ role: 'customer' });
    const token = (await s.issueTokens(user.id)).accessToken;
    current = { user, token, home, cleanupHome };
    await storeLogin(s, home, user);
  });
  afterEach(() => {
    current?.cleanupHome();
    current = undefined;
    for (const d of dirs.splice(0)) cleanup(d);
  });

  const started = () => {
    if (!current) throw new Error('the project world is set up per test: use it inside tests');
    return current;
  };
  const world = {
    get server(): TestServer {
      if (!server) throw new Error('the project world is not started: use it inside tests or hooks');
      return server;
    },
    get user(): TestUser {
      return started().user;
    },
    /** The customer's access token, for direct API calls. */
    get token(): string {
      return started().token;
    },
    get home(): string {
      return started().home;
    },
    /** What the CLIs see: the server's address and isolated git, plus `extra`. */
    env(extra: Record<string, string> = {}): Record<string, string> {
      return { CODEVF_API_URL: world.server.baseUrl, ...gitEnv(), ...extra };
    },
    /** The built `codevf` with `args`, as the logged-in customer, in `cwd`. */
    runCli(cwd: string, args: string[], extra: Record<string, string> = {}) {
      return runCli(args, { home: world.home, cwd, env: world.env(extra) });
    },
    /** A temp dir removed after the test. */
    tempDir(prefix: string): string {
      const dir = tempDir(prefix);
      dirs.push(dir);
      return dir;
    },
    /** A Node project in a git repository with one commit on `branch`; removed after the test. */
    nodeRepo(branch = 'codevf', extra: Record<string, string> = {}): string {
      const dir = makeRepo({ ...PNPM_PROJECT, ...extra }, branch, 'codevf-e2e-proj-');
      dirs.push(dir);
      return dir;
    },
  };
  return world;
}

/** The files of a tar.gz (name → content). */
export async function extractTarGz(source: string | Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = tar.extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      files.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  const input = typeof source === 'string' ? createReadStream(source) : Readable.from([source]);
  await pipeline(input, createGunzip(), ex);
  return files;
}

/** GETs a download from the server as `token`. */
export async function download(server: TestServer, token: string, path: string) {
  const res = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: res.status,
    sha256: res.headers.get('x-content-sha256'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}
