// The CodeVF server as the benchmarks run it, in the benchmark's own child process: built
// directly (quiet logger, no test harness), on an ephemeral 127.0.0.1 port, with a customer
// (plenty of credits) and an engineer whose CLI tokens outlast the run. Not a *.bench.mjs file,
// so bench/run.mjs does not run it on its own.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What startBenchServer needs from the server's sources. */
const ENTRY = `
export { buildApp } from './packages/server/src/app.ts';
export { resolveConfig } from './packages/server/src/config.ts';
export { createStorage } from './packages/server/src/storage/storage.ts';
export { createLogger } from './packages/server/src/logger.ts';
export { createUser, grantCredits } from './packages/server/src/users/users.ts';
export { issueTokens } from './packages/server/src/auth/tokens.ts';
export { canonicalJson, eventHash } from './packages/server/src/audit/hashChain.ts';
`;

/**
 * The server's sources bundled the way the shipped build bundles them (esbuild, npm packages
 * left external, no name-keeping), so that a benchmark measures the code users run. Importing
 * the sources through tsx instead wraps every closure in a `__name` call: ≈ 5 % of the relay's
 * garbage and ≈ 1.5 % of its CPU time. Written next to the build (dist/) so that the bundle
 * resolves the server's npm packages and its relative paths as dist/app.js does.
 */
async function loadServer() {
  const outfile = join(root, 'packages/server/dist/bench-server.js');
  await build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'bench-server.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile,
    logLevel: 'warning',
    plugins: [
      {
        name: 'npm-packages-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@codevf/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  return import(pathToFileURL(outfile).href);
}

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * `dialect: 'postgres'` puts the tables in a fresh schema of BENCH_DATABASE_URL (default: the
 * local test database), named `<schemaPrefix><8 hex>` and dropped again by `close()`.
 * `config` overrides settings (e.g. `ai` for the hybrid benchmark).
 */
export async function startBenchServer({
  dialect = 'sqlite',
  dataDirPrefix = 'codevf-bench-',
  schemaPrefix = 'bench_',
  config: overrides = {},
} = {}) {
  const server = await loadServer();
  const { buildApp, resolveConfig, createStorage, createLogger, createUser, grantCredits, issueTokens } = server;
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  const pgSchema = dialect === 'postgres' ? `${schemaPrefix}${randomUUID().slice(0, 8)}` : undefined;
  const config = resolveConfig(
    {
      dataDir,
      port: 0,
      host: '127.0.0.1',
      databaseUrl: dialect === 'postgres' ? BENCH_DATABASE_URL : undefined,
      accessTokenTtlSeconds: 3 * 3600,
      // One customer and one engineer stand for thousands of people here: their sessions and
      // sockets are not what the standing limits are about.
      maxQueuedTasksPerCustomer: 1_000_000,
      maxSocketsPerUser: 1_000_000,
      ...overrides,
    },
    {},
  );
  const storage = createStorage({ databaseUrl: config.databaseUrl, dataDir, pgSchema });
  await storage.migrate();
  const app = await buildApp({ config, storage, logger: createLogger({ level: 'warn' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${app.server.address().port}`;
  const ctx = app.ctx;
  const customer = await createUser(storage, ctx.clock, {
    email: 'bench-customer@example.test',
    name: 'Bench Customer',
    role: 'customer',
  });
  await grantCredits(storage, ctx.clock, customer.email, 1_000_000, 'bench');
  const engineer = await createUser(storage, ctx.clock, {
    email: 'bench-engineer@example.test',
    name: 'Bench Engineer',
    role: 'engineer',
  });
  const customerTokens = await issueTokens(ctx, customer.id, 'codevf-cli');
  const engineerTokens = await issueTokens(ctx, engineer.id, 'codevf-cli');
  return {
    baseUrl,
    dialect,
    /** PostgreSQL: the schema the tables live in, for other instances to share. */
    pgSchema,
    customer,
    engineer,
    /** The token endpoint's answers: access_token, refresh_token, expires_in. */
    customerTokens,
    engineerTokens,
    /** For benchmarks that prepare rows directly: the storage and the audit chain's hashing. */
    storage,
    hashing: { canonicalJson: server.canonicalJson, eventHash: server.eventHash },
    async close() {
      await app.close();
      if (pgSchema) await storage.db.schema.dropSchema(pgSchema).ifExists().cascade().execute();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
