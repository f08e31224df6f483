/**
 * Starts the real CodeVF server for tests: real database (a temp SQLite file, or a fresh
 * PostgreSQL schema), real HTTP and WebSockets on an ephemeral 127.0.0.1 port. Log lines are
 * captured so tests can assert that no secret ever reaches them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/app';
import { issueTokens } from '../../src/auth/tokens';
import type { Clock } from '../../src/clock';
import { resolveConfig, type ServerConfigInput } from '../../src/config';
import type { AppContext } from '../../src/context';
import { createLogger } from '../../src/logger';
import { createStorage } from '../../src/storage/storage';
import { createUser, grantCredits } from '../../src/users/users';
import { signIn } from './api';

export const POSTGRES_URL = process.env.CODEVF_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.CODEVF_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  role: 'customer' | 'engineer' | 'admin';
  password: string;
}

export interface TestServer {
  baseUrl: string;
  app: FastifyInstance;
  ctx: AppContext;
  logs: string[];
  dataDir: string;
  /** PostgreSQL only: the schema this server's tables live in (share it with `pgSchema`). */
  pgSchema?: string;
  createUser(opts?: Partial<Omit<TestUser, 'id'>> & { credits?: number; title?: string }): Promise<TestUser>;
  issueTokens(userId: string): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }>;
  /** Console sign-in through the real endpoint; returns the Cookie header value and CSRF token. */
  signIn(email: string, password: string): Promise<{ cookie: string; csrfToken: string }>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  dialect?: 'sqlite' | 'postgres';
  config?: ServerConfigInput;
  clock?: Clock;
  /** Reuse a data dir (SQLite restart tests) — it is then not deleted on close. */
  dataDir?: string;
  /** PostgreSQL: join an existing schema (second instance, restart) instead of a fresh one. */
  pgSchema?: string;
  /** Use the Redis bus (scale-out tests). */
  redis?: boolean;
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

let userCounter = 0;

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'codevf-test-'));
  const dialect = options.dialect ?? 'sqlite';
  const ownSchema = dialect === 'postgres' && !options.pgSchema;
  const pgSchema = dialect === 'postgres' ? (options.pgSchema ?? `t_${randomBytes(6).toString('hex')}`) : undefined;
  const config = resolveConfig(
    {
      dataDir,
      port: options.port ?? 0,
      host: '127.0.0.1',
      databaseUrl: dialect === 'postgres' ? POSTGRES_URL : undefined,
      redisUrl: options.redis ? REDIS_URL : undefined,
      ...options.config,
    },
    {},
  );
  const storage = createStorage({ databaseUrl: config.databaseUrl, dataDir, pgSchema });
  await storage.migrate();

  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const app = await buildApp({ config, storage, clock: options.clock, logger });
  await app.listen({ port: config.port, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const ctx = app.ctx;

  return {
    baseUrl,
    app,
    ctx,
    logs,
    dataDir,
    pgSchema,
    async createUser(opts = {}) {
      const n = ++userCounter;
      const role = opts.role ?? 'customer';
      const password = opts.password ?? `pw-${randomBytes(6).toString('hex')}`;
      const email = opts.email ?? `${role}${n}-${randomBytes(3).toString('hex')}@example.test`;
      const name = opts.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${n}`;
      const row = await createUser(ctx.storage, ctx.clock, { email, name, role, password, title: opts.title ?? null });
      if (opts.credits) await grantCredits(ctx.storage, ctx.clock, email, opts.credits, 'test credits');
      return { id: row.id, email: row.email, name: row.name, role, password };
    },
    async issueTokens(userId) {
      const t = await issueTokens(ctx, userId, 'codevf-cli');
      return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresIn: t.expires_in };
    },
    signIn: (email, password) => signIn(baseUrl, email, password),
    async close() {
      await app.close();
      if (ownSchema && pgSchema)
        await sql`drop schema if exists ${sql.id(pgSchema)} cascade`.execute(storage.db).catch(() => {});
      await storage.close();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
