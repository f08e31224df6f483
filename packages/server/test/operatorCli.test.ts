import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/auth/passwords';
import { hashSecret } from '../src/auth/secrets';
import { createStorage } from '../src/storage/storage';

const MAIN = join(import.meta.dirname, '../src/main.ts');

/** `codevf-server` as an operator runs it: a child process on a data dir of the test's own. */
describe('codevf-server operator commands', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'codevf-operator-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const cli = (args: string[], input = '') =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', MAIN, '--data-dir', dataDir, ...args],
        { env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1' } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input);
    });

  const storedHash = async (email: string) => {
    const storage = createStorage({ dataDir });
    try {
      const row = await storage.db
        .selectFrom('users')
        .select('password_hash')
        .where('email', '=', email)
        .executeTakeFirst();
      return row?.password_hash ?? null;
    } finally {
      await storage.close();
    }
  };

  beforeAll(async () => {
    const added = await cli(
      ['user', 'add', '--email', 'ann@example.test', '--name', 'Ann', '--role', 'customer', '--password-stdin'],
      'the-old-password\n',
    );
    expect(added.code).toBe(0);
  }, 120_000);

  it('user passwd: sets the password from stdin and ends the console sessions', async () => {
    // Two console sessions signed in with the old password.
    const storage = createStorage({ dataDir });
    const user = await storage.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'ann@example.test')
      .executeTakeFirstOrThrow();
    const now = new Date();
    for (const sid of ['cvf_s_one', 'cvf_s_two']) {
      await storage.db
        .insertInto('web_sessions')
        .values({
          id: hashSecret(sid),
          user_id: user.id,
          csrf_token: 'x',
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
        })
        .execute();
    }
    await storage.close();

    const out = await cli(['user', 'passwd', '--email', 'ANN@example.test', '--password-stdin'], 'a-brand-new-one\n');
    expect(out).toEqual({
      code: 0,
      stdout: 'password changed for ann@example.test; signed out of 2 console session(s)\n',
      stderr: '',
    });
    const hash = await storedHash('ann@example.test');
    expect(await verifyPassword('a-brand-new-one', hash)).toBe(true);
    expect(await verifyPassword('the-old-password', hash)).toBe(false);

    const json = await cli(
      ['user', 'passwd', '--email', 'ann@example.test', '--password-stdin', '--json'],
      'third-password',
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: true,
      data: { id: user.id, email: 'ann@example.test', consoleSessionsEnded: 0 },
    });
    // The password is never echoed.
    expect(json.stdout + json.stderr + out.stdout + out.stderr).not.toMatch(/brand-new|third-password/);
    expect(await verifyPassword('third-password', await storedHash('ann@example.test'))).toBe(true);
  }, 120_000);

  it('user passwd: bad input is a clear error with a code, a hint and the CLI exit code; nothing changes', async () => {
    const before = await storedHash('ann@example.test');
    const cases: Array<{ args: string[]; input?: string; code: number; error: string; message: RegExp; hint: RegExp }> =
      [
        {
          args: ['--email', 'nobody@example.test', '--password-stdin'],
          input: 'long-enough-pw',
          code: 1,
          error: 'E_NOT_FOUND',
          message: /^No account with email nobody@example\.test\.$/,
          hint: /codevf-server user list/,
        },
        {
          args: ['--email', 'ann@example.test', '--password-stdin'],
          input: 'short\n',
          code: 2,
          error: 'E_VALIDATION',
          message: /8 to 256 characters; it has 5/,
          hint: /longer password/,
        },
        {
          args: ['--email', 'ann@example.test', '--password-stdin'],
          input: '',
          code: 2,
          error: 'E_VALIDATION',
          message: /No password arrived on standard input/,
          hint: /printf '%s' "\$NEW_PASSWORD" \| codevf-server user passwd --email ann@example\.test --password-stdin/,
        },
        {
          args: ['--email', 'ann@example.test'],
          input: 'long-enough-pw',
          code: 2,
          error: 'E_VALIDATION',
          message: /add --password-stdin/,
          hint: /--password-stdin/,
        },
        {
          args: ['--email', 'ann@example.test', '--password', 'on-the-command-line'],
          code: 2,
          error: 'E_VALIDATION',
          message: /Unknown option '--password'/,
          hint: /^Run: codevf-server user passwd --help$/,
        },
        {
          args: ['--password-stdin'],
          input: 'long-enough-pw',
          code: 2,
          error: 'E_VALIDATION',
          message: /Required option '--email <email>' not specified/,
          hint: /^Run: codevf-server user passwd --help$/,
        },
      ];
    for (const c of cases) {
      const out = await cli(['user', 'passwd', ...c.args, '--json'], c.input);
      expect(out.code, c.args.join(' ')).toBe(c.code);
      const body = JSON.parse(out.stdout);
      expect(body, c.args.join(' ')).toEqual({
        ok: false,
        error: { code: c.error, message: expect.stringMatching(c.message), hint: expect.stringMatching(c.hint) },
      });
    }
    // Without --json the same failure is text on stderr, nothing on stdout.
    const text = await cli(['user', 'passwd', '--email', 'nobody@example.test', '--password-stdin'], 'long-enough-pw');
    expect(text).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Error: No account with email nobody@example.test.\nHint: List the accounts with: codevf-server user list\n',
    });
    expect(await storedHash('ann@example.test')).toBe(before);
  }, 300_000);

  it('user passwd --password-stdin on a terminal refuses (typing would echo the password)', async () => {
    const pty = await import('node-pty');
    const term = pty.spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--data-dir',
        dataDir,
        'user',
        'passwd',
        '--email',
        'ann@example.test',
        '--password-stdin',
      ],
      { cols: 200, rows: 20, env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1' } as Record<string, string> },
    );
    let out = '';
    term.onData((d) => (out += d));
    const { exitCode } = await new Promise<{ exitCode: number }>((resolve) => term.onExit(resolve));
    expect(exitCode).toBe(2);
    expect(out.replace(/\r/g, '')).toContain(
      'Error: --password-stdin reads the password from standard input, which is a terminal here.\nHint: Pipe it in',
    );
  }, 120_000);

  it('user list --json: the same envelope as codevf', async () => {
    const out = await cli(['user', 'list', '--json']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(out.stdout)).toEqual({
      ok: true,
      data: {
        users: [
          {
            id: expect.any(String),
            email: 'ann@example.test',
            name: 'Ann',
            role: 'customer',
            credits: 0,
            disabled: false,
          },
        ],
      },
    });
    const bad = await cli(['user', 'list', '--json', '--color']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'E_VALIDATION' } });
  }, 120_000);

  it('help reads like codevf --help: summary, Usage, Commands/Flags tables, Examples, exit codes', async () => {
    const root = await cli(['--help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/^codevf-server 0\.1\.0 — /);
    expect(root.stdout).toContain('Usage: codevf-server <command> [flags]');
    expect(root.stdout).toMatch(/Commands:\n {2}start {4}Start the server/);
    expect(root.stdout).toMatch(/Exit codes:\n {2}0 {2}success\n {2}1 {2}error.*\n {2}2 {2}usage error/);
    const passwd = await cli(['user', 'passwd', '--help']);
    expect(passwd.stdout.split('\n').slice(0, 5)).toEqual([
      "Set an account's password (read from standard input).",
      '',
      expect.stringMatching(/^Replaces the password and signs the account out of the console everywhere\./),
      '',
      'Usage: codevf-server user passwd [flags]',
    ]);
    expect(passwd.stdout).toMatch(/Flags:\n {6}--email <email> {3}The account to change\./);
    expect(passwd.stdout).toMatch(/ {2}-h, --help {12}Show help for the command\./);
    expect(passwd.stdout).toMatch(/ {6}--data-dir <dir> {2}Data directory/);
    expect(passwd.stdout).toMatch(/Examples:\n {2}printf/);
  }, 120_000);
});
