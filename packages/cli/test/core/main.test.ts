import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCommand, type RegisteredCommand } from '../../src/core/command';
import { CodevfError } from '../../src/core/errors';
import { main } from '../../src/core/main';
import { createMemoryIO } from '../../src/core/memoryIO';
import { VERSION } from '../../src/core/version';

const echo = defineCommand({
  json: true,
  args: [{ name: 'words', description: 'what to echo', required: true, variadic: true }],
  flags: {
    shout: { type: 'boolean', short: 's', description: 'upper-case' },
    again: { type: 'boolean', optionalValue: true, description: 'echo again, optionally a word first' },
    times: { type: 'string', valueName: 'n', description: 'repeat' },
  },
  async handler({ args, flags }, ctx) {
    ctx.status('echoing');
    const text = (args.words as string[]).join(' ');
    const once = `${flags.shout ? text.toUpperCase() : text}${flags.again ? ' (again)' : ''}`;
    return {
      text: Array(Number(flags.times ?? 1))
        .fill(once)
        .join(' '),
    };
  },
  human: (result, { io }) => io.out(`${result.text}\n`),
});

const fail = defineCommand({
  json: true,
  args: [{ name: 'code', description: 'error code to raise' }],
  async handler({ args }) {
    if (args.code === 'boom') throw new Error('kaboom');
    throw new CodevfError(args.code as 'E_NOT_LOGGED_IN', 'it failed');
  },
});

const interactive = defineCommand({
  json: false,
  async handler(_p, ctx) {
    return { base: await ctx.baseUrl() };
  },
  human: (r, { io }) => io.out(`${r.base}\n`),
});

const COMMANDS: RegisteredCommand[] = [
  { name: 'echo', summary: 'Echo words.', load: async () => ({ default: echo }) },
  { name: 'fail', summary: 'Fail on purpose.', load: async () => ({ default: fail }) },
  { name: 'chat', summary: 'Interactive.', load: async () => ({ default: interactive }) },
];

async function run(argv: string[], env: Record<string, string> = {}) {
  const io = createMemoryIO({ env });
  const code = await main(argv, { io, commands: COMMANDS });
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe('runner', () => {
  it('runs a command and prints the human result on stdout, status on stderr', async () => {
    const r = await run(['echo', 'hello', 'world', '-s', '--times', '2']);
    expect(r).toEqual({ code: 0, stdout: 'HELLO WORLD HELLO WORLD\n', stderr: 'echoing\n' });
  });

  it('--json: exactly one document on stdout, status still on stderr', async () => {
    const r = await run(['echo', 'hi', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, data: { text: 'hi' } });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe('echoing\n');
  });

  it('maps CodevfError codes to the envelope and the exit code of the protocol table', async () => {
    for (const [code, exit] of [
      ['E_NOT_LOGGED_IN', 4],
      ['E_UNREACHABLE', 5],
      ['E_LOGIN_DENIED', 6],
      ['E_VALIDATION', 2],
      ['E_CONFLICT', 1],
    ] as const) {
      const r = await run(['fail', code, '--json']);
      expect(r.code).toBe(exit);
      expect(JSON.parse(r.stdout)).toEqual({
        ok: false,
        error: { code, message: 'it failed', hint: expect.any(String) },
      });
    }
  });

  it('prints errors as text with a hint when --json is absent', async () => {
    const r = await run(['fail', 'E_NOT_LOGGED_IN']);
    expect(r).toEqual({ code: 4, stdout: '', stderr: 'Error: it failed\nHint: Run: codevf login\n' });
  });

  it('unexpected exceptions become E_INTERNAL, stack only with CODEVF_DEBUG', async () => {
    const r = await run(['fail', 'boom', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'E_INTERNAL', message: 'kaboom' });
    expect(r.stderr).toBe('');
    const debug = await run(['fail', 'boom'], { CODEVF_DEBUG: '1' });
    expect(debug.stderr).toContain('at ');
  });

  it('usage errors are E_VALIDATION with exit 2, in the envelope when --json is present', async () => {
    const missing = await run(['echo', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'E_VALIDATION', message: 'Missing <words>.' });
    const unknownFlag = await run(['echo', 'x', '--loud']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("Unknown option '--loud'");
    expect(unknownFlag.stderr).toContain('Hint: Run: codevf echo --help');
    const noValue = await run(['echo', 'x', '--times']);
    expect(noValue.code).toBe(2);
    const extra = await run(['fail', 'a', 'b']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('Unexpected argument: "b"');
  });

  it('a flag with an optional value takes it as the next word, with = too, but not after --', async () => {
    expect((await run(['echo', '--again', 'hi'])).stdout).toBe('hi (again)\n');
    expect((await run(['echo', '--again=hi'])).stdout).toBe('hi (again)\n');
    expect((await run(['echo', '--again=a=b', 'c'])).stdout).toBe('a=b c (again)\n');
    expect((await run(['echo', '--', '--again=hi'])).stdout).toBe('--again=hi\n');
    // Only such flags: `--shout=yes` stays an error.
    const wrong = await run(['echo', '--shout=yes', 'hi']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--shout' does not take an argument");
  });

  it('refuses --json on an interactive command', async () => {
    const r = await run(['chat', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toContain('does not support --json');
  });

  it('unknown commands suggest the nearest one', async () => {
    const r = await run(['ecoh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown command "ecoh"');
    expect(r.stderr).toContain('Did you mean: codevf echo?');
    const far = await run(['zzzzzz']);
    expect(far.stderr).toContain('Run: codevf --help');
  });

  it('prints the version, root help, command help and the error table', async () => {
    expect((await run(['--version'])).stdout).toBe(`${VERSION}\n`);
    const root = await run([]);
    expect(root.code).toBe(0);
    expect(root.stdout).toContain('echo');
    expect(root.stdout).toContain('Fail on purpose.');
    const help = await run(['echo', '--help']);
    expect(help.stdout).toContain('Usage: codevf echo <words...> [flags]');
    expect(help.stdout).toContain('-s, --shout');
    expect(help.stdout).toContain('--times <n>');
    expect(help.stdout).toContain('--json');
    expect((await run(['help', 'echo'])).stdout).toBe(help.stdout);
    expect((await run(['chat', '--help'])).stdout).not.toContain('--json');
    const errors = await run(['help', 'errors']);
    expect(errors.stdout).toContain('E_UNAUTHORIZED');
    expect(errors.stdout).toContain('exit 4');
  });

  it('no colour in memory (not a TTY), and none with NO_COLOR even on a TTY', async () => {
    const io = createMemoryIO({ tty: true, env: { NO_COLOR: '1' } });
    await main(['fail', 'E_CONFLICT'], { io, commands: COMMANDS });
    expect(io.stderrText()).not.toContain('\x1b[');
    const coloured = createMemoryIO({ tty: true, env: {} });
    await main(['fail', 'E_CONFLICT'], { io: coloured, commands: COMMANDS });
    expect(coloured.stderrText()).toContain('\x1b[');
  });

  it('--base-url and CODEVF_API_URL choose the server; http:// to a remote host is refused', async () => {
    expect((await run(['chat'])).stdout).toBe('http://127.0.0.1:7878\n');
    expect((await run(['chat'], { CODEVF_API_URL: 'https://a.example/' })).stdout).toBe('https://a.example\n');
    expect(
      (await run(['chat', '--base-url', 'https://b.example'], { CODEVF_API_URL: 'https://a.example' })).stdout,
    ).toBe('https://b.example\n');
    const insecure = await run(['chat', '--base-url', 'http://b.example']);
    expect(insecure.code).toBe(2);
    expect(insecure.stderr).toContain('Refusing plain http://');
  });
});

describe('the real commands with in-memory I/O', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'codevf-main-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('whoami and logout when not logged in', async () => {
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'cfg') };
    const io = createMemoryIO({ env });
    expect(await main(['whoami', '--json'], { io })).toBe(0);
    expect(JSON.parse(io.stdoutText())).toEqual({
      ok: true,
      data: { loggedIn: false, baseUrl: 'http://127.0.0.1:7878', baseUrlSource: 'default' },
    });
    const io2 = createMemoryIO({ env });
    expect(await main(['logout', '--json'], { io: io2 })).toBe(0);
    expect(JSON.parse(io2.stdoutText())).toEqual({ ok: true, data: { wasLoggedIn: false, revoked: false } });
  });
});
