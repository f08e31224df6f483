#!/usr/bin/env node
/**
 * `codevf-server`: run the server and administer it.
 *   codevf-server start [--port N] [--host H] [--data-dir DIR] [--dev] [--log-format pretty|json]
 *   codevf-server migrate
 *   codevf-server user add --email E --name N --role R [--title T] [--password-stdin]
 *   codevf-server user passwd --email E --password-stdin [--json]
 *   codevf-server user list [--json]
 *   codevf-server credits grant --email E --amount N [--note TEXT]
 * DATABASE_URL selects PostgreSQL, REDIS_URL the Redis bus; otherwise SQLite in the data dir.
 */
import { randomBytes } from 'node:crypto';
import { ExitCode, Role } from '@codevf/protocol';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { buildApp } from './app';
import { formatOperatorHelp, withExamples } from './cli/operatorHelp';
import { OperatorError, processWriter, writeFailure, writeOk } from './cli/operatorOutput';
import { systemClock } from './clock';
import { resolveConfig, type ServerConfigInput } from './config';
import { publicUrl } from './http/publicUrl';
import { createLogger, resolveLogFormat } from './logger';
import { createStorage, type Storage } from './storage/storage';
import { createUser, findUserByEmail, grantCredits, listUsers, setPassword } from './users/users';

const VERSION = '0.1.0';
const writer = processWriter();

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

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 256;
const PIPE_HINT = (command: string) =>
  `Pipe it in, e.g.: printf '%s' "$NEW_PASSWORD" | codevf-server ${command} --password-stdin`;

/** The password piped to --password-stdin (one trailing newline dropped), checked like the console's. */
async function readPasswordStdin(command: string): Promise<string> {
  // Waiting on a terminal would echo the password as it is typed; refuse instead.
  if (process.stdin.isTTY) {
    throw new OperatorError(
      'E_VALIDATION',
      '--password-stdin reads the password from standard input, which is a terminal here.',
      PIPE_HINT(command),
    );
  }
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') {
    throw new OperatorError('E_VALIDATION', 'No password arrived on standard input.', PIPE_HINT(command));
  }
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new OperatorError(
      'E_VALIDATION',
      `The password must have ${PASSWORD_MIN} to ${PASSWORD_MAX} characters; it has ${password.length}.`,
      'Choose a longer password (a passphrase of a few words is fine).',
    );
  }
  return password;
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
  process.stdout.write(
    '  Lost them? Set a new one: printf \'%s\' "$PW" | codevf-server user passwd --email E --password-stdin\n\n',
  );
}

async function start(opts: {
  port?: number;
  host?: string;
  dataDir?: string;
  dev?: boolean;
  logFormat?: string;
}): Promise<void> {
  const format = resolveLogFormat(opts.logFormat, process.env, Boolean(process.stdout.isTTY));
  const { config, storage } = openStorage({ port: opts.port, host: opts.host, dataDir: opts.dataDir, dev: opts.dev });
  await storage.migrate();
  if (config.dev) await createDemoUsers(storage);
  const app = await buildApp({ config, storage, logger: createLogger({ format }) });
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

/** Runs an admin action and exits with the CLI's exit code for its outcome. */
async function run(json: boolean, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    process.exit(writeFailure(writer, json, err));
  }
}

const program = new Command('codevf-server')
  .version(VERSION, '-v, --version', 'Print the version.')
  .description('the CodeVF server and its admin commands')
  .helpOption('-h, --help', 'Show help for the command.')
  .helpCommand(false)
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({ outputError: () => {} })
  .configureHelp({ formatHelp: (cmd, helper) => formatOperatorHelp(cmd, helper, VERSION, writer.color) });
program.option('--data-dir <dir>', 'Data directory: the embedded SQLite database and blobs (default ./.codevf-data).');
const dataDir = () => program.opts().dataDir as string | undefined;

withExamples(
  program
    .command('start')
    .summary('Start the server (embedded SQLite unless DATABASE_URL is set).')
    .description('Migrations run first. Logs go to stdout: short lines on a terminal, JSON lines otherwise.')
    .option('--port <port>', 'Port to listen on (default 7878; 0 picks a free one).', port)
    .option('--host <host>', 'Address to bind (default 127.0.0.1).')
    .option('--dev', 'On an empty database, create demo accounts and print their passwords once.')
    .option('--log-format <format>', 'pretty or json (default: CODEVF_LOG_FORMAT, else pretty on a terminal).')
    .action(async (opts) => {
      try {
        await start({ ...opts, dataDir: dataDir() });
      } catch (err) {
        process.exit(writeFailure(writer, false, err));
      }
    }),
  ['codevf-server start --dev', 'DATABASE_URL=postgres://… REDIS_URL=redis://… codevf-server start --host 0.0.0.0'],
);

program
  .command('migrate')
  .summary('Apply database migrations and exit.')
  .action(() =>
    run(false, async () => {
      const applied = await withStorage({ dataDir: dataDir() }, (s) => s.migrate());
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    }),
  );

const user = program.command('user').summary('Manage accounts.');
withExamples(
  user
    .command('add')
    .summary('Create an account.')
    .requiredOption('--email <email>', 'The sign-in email.')
    .requiredOption('--name <name>', 'Name shown to others.')
    .requiredOption('--role <role>', 'customer, engineer or admin.', role)
    .option('--title <title>', "Engineer's title shown to customers (e.g. 'ex-FAANG').")
    .option('--password-stdin', 'Read the password from standard input (otherwise one is generated and printed).')
    .action((opts) =>
      run(false, async () => {
        const password = opts.passwordStdin
          ? await readPasswordStdin('user add --email E --name N --role R')
          : randomBytes(12).toString('base64url');
        const created = await withStorage({ dataDir: dataDir() }, (s) =>
          createUser(s, systemClock, {
            email: opts.email,
            name: opts.name,
            role: opts.role,
            title: opts.title,
            password,
          }),
        );
        process.stdout.write(`created ${created.role} ${created.email} (${created.id})\n`);
        if (!opts.passwordStdin) process.stdout.write(`password: ${password}\n`);
      }),
    ),
  ['codevf-server user add --email ann@example.com --name Ann --role engineer --title "ex-FAANG"'],
);

withExamples(
  user
    .command('passwd')
    .summary("Set an account's password (read from standard input).")
    .description(
      'Replaces the password and signs the account out of the console everywhere. CLI logins stay. Use it for a ' +
        'forgotten password, or to recover the demo accounts whose passwords were printed only once.',
    )
    .requiredOption('--email <email>', 'The account to change.')
    .option('--password-stdin', 'Read the new password from standard input (required; never from the command line).')
    .option('--json', 'Print one JSON document on stdout: {"ok":true,"data":…} or {"ok":false,"error":…}.')
    .action((opts) =>
      run(Boolean(opts.json), async () => {
        if (!opts.passwordStdin) {
          throw new OperatorError(
            'E_VALIDATION',
            'user passwd reads the new password from standard input: add --password-stdin.',
            PIPE_HINT(`user passwd --email ${opts.email}`),
          );
        }
        const password = await readPasswordStdin(`user passwd --email ${opts.email}`);
        const result = await withStorage({ dataDir: dataDir() }, async (s) => {
          const account = await findUserByEmail(s, opts.email);
          if (!account) {
            throw new OperatorError(
              'E_NOT_FOUND',
              `No account with email ${opts.email}.`,
              'List the accounts with: codevf-server user list',
            );
          }
          const ended = await setPassword(s, account.id, password);
          return { id: account.id, email: account.email, consoleSessionsEnded: ended };
        });
        writeOk(writer, Boolean(opts.json), result, () =>
          process.stdout.write(
            `password changed for ${result.email}; signed out of ${result.consoleSessionsEnded} console session(s)\n`,
          ),
        );
      }),
    ),
  [
    'printf \'%s\' "$NEW_PASSWORD" | codevf-server user passwd --email customer@codevf.local --password-stdin',
    'codevf-server user passwd --email ann@example.com --password-stdin --json < password.txt',
  ],
);

withExamples(
  user
    .command('list')
    .summary('List accounts.')
    .option('--json', 'Print one JSON document on stdout: {"ok":true,"data":{"users":[…]}} or {"ok":false,"error":…}.')
    .action((opts) =>
      run(Boolean(opts.json), async () => {
        const rows = await withStorage({ dataDir: dataDir() }, listUsers);
        const users = rows.map((u) => ({
          id: u.id,
          email: u.email,
          name: u.name,
          role: u.role,
          credits: u.credits,
          disabled: u.disabled === 1,
        }));
        writeOk(writer, Boolean(opts.json), { users }, () => {
          if (rows.length === 0) process.stdout.write('no users yet — add one with: codevf-server user add\n');
          for (const u of rows) {
            process.stdout.write(
              `${u.role.padEnd(9)} ${u.email.padEnd(32)} ${String(u.credits).padStart(6)} credits${u.disabled ? '  (disabled)' : ''}\n`,
            );
          }
        });
      }),
    ),
  ['codevf-server user list', 'codevf-server user list --json'],
);

withExamples(
  program
    .command('credits')
    .summary('Manage credits.')
    .command('grant')
    .summary('Add credits to an account.')
    .requiredOption('--email <email>', 'The account to credit.')
    .requiredOption('--amount <n>', 'Credits to add.', positiveInt)
    .option('--note <text>', 'Why (kept in the credit ledger).')
    .action((opts) =>
      run(false, async () => {
        const u = await withStorage({ dataDir: dataDir() }, (s) =>
          grantCredits(s, systemClock, opts.email, opts.amount, opts.note ?? 'granted by admin CLI'),
        );
        process.stdout.write(`${u.email} now has ${u.credits} credits\n`);
      }),
    ),
  ['codevf-server credits grant --email ann@example.com --amount 60 --note "trial"'],
);

/** Commander's own errors (unknown flag, missing value) as usage errors, exit 2, like `codevf`. */
function usageFailure(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
    return ExitCode.ok;
  }
  const words = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const known = ['start', 'migrate', 'user', 'credits', 'add', 'passwd', 'list', 'grant'];
  const where = words.filter((w) => known.includes(w)).join(' ');
  const message = err.message.replace(/^error: /, '').replace(/^./, (c) => c.toUpperCase());
  return writeFailure(
    writer,
    process.argv.includes('--json'),
    new OperatorError('E_VALIDATION', message, `Run: codevf-server ${where ? `${where} ` : ''}--help`),
  );
}

program.parseAsync().catch((err) => {
  process.exit(err instanceof CommanderError ? usageFailure(err) : writeFailure(writer, false, err));
});
