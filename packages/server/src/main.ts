#!/usr/bin/env node
/**
 * `codevf-server`: run the server and administer it.
 *   codevf-server start [--port N] [--host H] [--data-dir DIR] [--dev]
 *   codevf-server migrate
 *   codevf-server user add --email E --name N --role R [--title T] [--password-stdin]
 *   codevf-server user list [--json]
 *   codevf-server credits grant --email E --amount N [--note TEXT]
 * DATABASE_URL selects PostgreSQL, REDIS_URL the Redis bus; otherwise SQLite in the data dir.
 */
import { randomBytes } from 'node:crypto';
import { Role } from '@codevf/protocol';
import { Command, InvalidArgumentError } from 'commander';
import { buildApp } from './app';
import { systemClock } from './clock';
import { resolveConfig, type ServerConfigInput } from './config';
import { ApiError } from './http/errors';
import { publicUrl } from './http/publicUrl';
import { createStorage, type Storage } from './storage/storage';
import { createUser, grantCredits, listUsers } from './users/users';

const VERSION = '0.1.0';

function openStorage(overrides: ServerConfigInput = {}) {
  const config = resolveConfig(overrides);
  const storage = createStorage({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgSchema: config.databaseSchema,
  });
  return { config, storage };
}

async function withStorage<T>(overrides: ServerConfigInput, fn: (s: Storage) => Promise<T>): Promise<T> {
  const { storage } = openStorage(overrides);
  try {
    await storage.migrate();
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535).');
  return n;
};
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number.');
  return n;
};
const role = (v: string) => {
  const r = Role.safeParse(v);
  if (!r.success) throw new InvalidArgumentError('must be customer, engineer or admin.');
  return r.data;
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function createDemoUsers(storage: Storage): Promise<void> {
  if ((await listUsers(storage)).length > 0) return;
  const pw = () => randomBytes(9).toString('base64url');
  const demo = [
    { email: 'customer@codevf.local', name: 'Demo Customer', role: 'customer' as const, credits: 100, password: pw() },
    { email: 'engineer@codevf.local', name: 'Maria', title: 'ex-FAANG', role: 'engineer' as const, password: pw() },
    { email: 'admin@codevf.local', name: 'Demo Admin', role: 'admin' as const, password: pw() },
  ];
  for (const d of demo) await createUser(storage, systemClock, d);
  // Printed once, at creation; the passwords are stored only as hashes.
  process.stdout.write('\nDemo accounts created (shown only this once):\n');
  for (const d of demo) process.stdout.write(`  ${d.role.padEnd(9)} ${d.email}  password: ${d.password}\n`);
  process.stdout.write('\n');
}

async function start(opts: { port?: number; host?: string; dataDir?: string; dev?: boolean }) {
  const { config, storage } = openStorage({ port: opts.port, host: opts.host, dataDir: opts.dataDir, dev: opts.dev });
  await storage.migrate();
  if (config.dev) await createDemoUsers(storage);
  const app = await buildApp({ config, storage });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, close sockets and timers, then the database.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    await storage.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const where = config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`;
  process.stdout.write(
    `CodeVF server listening on ${publicUrl(app)} (${where}${config.redisUrl ? ', Redis bus' : ''})\n`,
  );
}

function fail(err: unknown): never {
  const message =
    err instanceof ApiError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
  process.stderr.write(`codevf-server: ${message}\n`);
  process.exit(err instanceof ApiError && err.code === 'E_VALIDATION' ? 2 : 1);
}

const program = new Command('codevf-server').version(VERSION).description('CodeVF backend server and admin tool');
program.option(
  '--data-dir <dir>',
  'data directory for the embedded SQLite database and blobs (default ./.codevf-data)',
);

program
  .command('start')
  .description('start the server (embedded SQLite unless DATABASE_URL is set)')
  .option('--port <port>', 'port to listen on (default 7878; 0 picks a free one)', port)
  .option('--host <host>', 'address to bind (default 127.0.0.1)')
  .option('--data-dir <dir>', 'data directory')
  .option('--dev', 'on an empty database, create demo accounts and print their passwords once')
  .action(async (opts, cmd) => start({ ...opts, dataDir: opts.dataDir ?? cmd.parent.opts().dataDir }).catch(fail));

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(async (_opts, cmd) => {
    const applied = await withStorage({ dataDir: cmd.parent.opts().dataDir }, (s) => s.migrate()).catch(fail);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  });

const user = program.command('user').description('manage accounts');
user
  .command('add')
  .description('create an account')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .requiredOption('--role <role>', 'customer, engineer or admin', role)
  .option('--title <title>', "engineer's title shown to customers (e.g. 'ex-FAANG')")
  .option('--password-stdin', 'read the password from standard input (otherwise one is generated and printed)')
  .action(async (opts) => {
    const password = opts.passwordStdin ? await readStdin() : randomBytes(12).toString('base64url');
    if (password.length < 8) fail(new ApiError('E_VALIDATION', 'the password must have at least 8 characters.'));
    const created = await withStorage({ dataDir: program.opts().dataDir }, (s) =>
      createUser(s, systemClock, { email: opts.email, name: opts.name, role: opts.role, title: opts.title, password }),
    ).catch(fail);
    process.stdout.write(`created ${created.role} ${created.email} (${created.id})\n`);
    if (!opts.passwordStdin) process.stdout.write(`password: ${password}\n`);
  });
user
  .command('list')
  .description('list accounts')
  .option('--json', 'print JSON')
  .action(async (opts) => {
    const rows = await withStorage({ dataDir: program.opts().dataDir }, listUsers).catch(fail);
    if (opts.json) {
      const users = rows.map((u) => ({
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        credits: u.credits,
        disabled: u.disabled === 1,
      }));
      process.stdout.write(`${JSON.stringify({ users })}\n`);
      return;
    }
    if (rows.length === 0) process.stdout.write('no users yet — add one with: codevf-server user add\n');
    for (const u of rows) {
      process.stdout.write(
        `${u.role.padEnd(9)} ${u.email.padEnd(32)} ${String(u.credits).padStart(6)} credits${u.disabled ? '  (disabled)' : ''}\n`,
      );
    }
  });

program
  .command('credits')
  .description('manage credits')
  .command('grant')
  .description('add credits to an account')
  .requiredOption('--email <email>')
  .requiredOption('--amount <n>', 'credits to add', positiveInt)
  .option('--note <text>')
  .action(async (opts) => {
    const u = await withStorage({ dataDir: program.opts().dataDir }, (s) =>
      grantCredits(s, systemClock, opts.email, opts.amount, opts.note ?? 'granted by admin CLI'),
    ).catch(fail);
    process.stdout.write(`${u.email} now has ${u.credits} credits\n`);
  });

program.parseAsync().catch(fail);
