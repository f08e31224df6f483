// The CodeVF server as the benchmarks run it, in the benchmark's own child process: built
// directly (quiet logger, no test harness), on an ephemeral 127.0.0.1 port, with a customer
// (plenty of credits) and an engineer whose CLI tokens outlast the run. Not a *.bench.mjs file,
// so bench/run.mjs does not run it on its own.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `dialect: 'postgres'` puts the tables in a fresh schema of BENCH_DATABASE_URL (default: the
 * local test database), dropped again by `close()`.
 */
export async function startBenchServer({ dialect = 'sqlite', dataDirPrefix = 'codevf-bench-' } = {}) {
  const { buildApp } = await import('../../packages/server/src/app.ts');
  const { resolveConfig } = await import('../../packages/server/src/config.ts');
  const { createStorage } = await import('../../packages/server/src/storage/storage.ts');
  const { createLogger } = await import('../../packages/server/src/logger.ts');
  const { createUser, grantCredits } = await import('../../packages/server/src/users/users.ts');
  const { issueTokens } = await import('../../packages/server/src/auth/tokens.ts');
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  const pgSchema = dialect === 'postgres' ? `bench_${randomUUID().slice(0, 8)}` : undefined;
  const config = resolveConfig(
    {
      dataDir,
      port: 0,
      host: '127.0.0.1',
      databaseUrl:
        dialect === 'postgres'
          ? (process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
          : undefined,
      accessTokenTtlSeconds: 3 * 3600,
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
    customer,
    engineer,
    /** The token endpoint's answers: access_token, refresh_token, expires_in. */
    customerTokens,
    engineerTokens,
    async close() {
      await app.close();
      if (pgSchema) await storage.db.schema.dropSchema(pgSchema).ifExists().cascade().execute();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
