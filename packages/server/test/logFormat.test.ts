import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { resolveConfig } from '../src/config';
import { createLogger, formatPrettyLine, resolveLogFormat } from '../src/logger';
import { createStorage } from '../src/storage/storage';

const MAIN = join(import.meta.dirname, '../src/main.ts');

const collector = () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, destination };
};

describe('log format', () => {
  it('--log-format wins over CODEVF_LOG_FORMAT, which wins over the kind of output; bad values are refused', () => {
    expect(resolveLogFormat(undefined, {}, true)).toBe('pretty');
    expect(resolveLogFormat(undefined, {}, false)).toBe('json');
    expect(resolveLogFormat(undefined, { CODEVF_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(resolveLogFormat(undefined, { CODEVF_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(resolveLogFormat('json', { CODEVF_LOG_FORMAT: 'pretty' }, true)).toBe('json');
    expect(resolveLogFormat('pretty', { CODEVF_LOG_FORMAT: 'json' }, false)).toBe('pretty');
    expect(() => resolveLogFormat('fancy', {}, true)).toThrow('--log-format must be json or pretty, got "fancy"');
    expect(() => resolveLogFormat(undefined, { CODEVF_LOG_FORMAT: 'xml' }, true)).toThrow(/CODEVF_LOG_FORMAT/);
  });

  it('pretty: one short line a record, redacted like JSON, control characters made visible', () => {
    const { lines, destination } = collector();
    const log = createLogger({ level: 'info', format: 'pretty', destination });
    log.info({ userId: 'u1', password: 'hunter22', body: { token: 'cvf_at_secret' } }, 'signed in');
    log.warn({ path: '/evil\x1b[2J\u202e' }, 'odd path');
    log.error({ err: new Error('disk full') }, 'write failed');
    log.debug('not shown at info');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}signed in userId=u1 password=\[redacted\] body=\{"token":"\[redacted\]"\}$/,
    );
    expect(lines.join('\n')).not.toMatch(/hunter22|cvf_at_secret/);
    expect(lines[1]).toMatch(/WARN {2}odd path path=\/evil␛\[2J<U\+202E>$/);
    expect(lines[1]).not.toContain('\x1b');
    expect(lines[2]).toMatch(/ERROR write failed err="disk full"$/);
  });

  it('json: the JSON lines a log collector expects', () => {
    const { lines, destination } = collector();
    createLogger({ level: 'info', format: 'json', destination }).info({ password: 'hunter22' }, 'hello');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 30, msg: 'hello', password: '[redacted]' });
  });

  it('a line that is not JSON passes through unchanged', () => {
    expect(formatPrettyLine('plain text', false)).toBe('plain text\n');
  });

  it('requests are logged at debug only: polling at the default level prints nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'codevf-logs-'));
    const storage = createStorage({ dataDir });
    await storage.migrate();
    try {
      for (const level of ['info', 'debug'] as const) {
        const { lines, destination } = collector();
        const app = await buildApp({
          config: resolveConfig({ dataDir, databaseUrl: undefined, redisUrl: undefined }),
          storage,
          logger: createLogger({ level, destination, format: 'json' }),
        });
        for (let i = 0; i < 20; i++) await app.inject({ method: 'GET', url: '/healthz' });
        await app.inject({ method: 'GET', url: '/v1/me?secret=1', headers: { authorization: 'Bearer cvf_at_x' } });
        await app.close();
        const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
        if (level === 'info') expect(lines).toEqual([]);
        else {
          expect(requests).toHaveLength(21);
          expect(requests[20]).toMatchObject({ level: 20, method: 'GET', path: '/v1/me', status: 401 });
          expect(lines.join('\n')).not.toMatch(/cvf_at_x|secret=1/);
        }
      }
    } finally {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('codevf-server start: log lines', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'codevf-logstart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Starts the server, waits for its listening line, stops it, and returns what it printed. */
  async function startOnce(args: string[], env: Record<string, string>, tty: boolean): Promise<string> {
    const fullArgs = ['--import', 'tsx', MAIN, 'start', '--port', '0', '--data-dir', dataDir, ...args];
    const fullEnv = { ...process.env, DATABASE_URL: '', REDIS_URL: '', CODEVF_LOG_FORMAT: '', NO_COLOR: '1', ...env };
    if (tty) {
      const pty = await import('node-pty');
      const term = pty.spawn(process.execPath, fullArgs, { cols: 200, rows: 50, env: fullEnv });
      let out = '';
      term.onData((d) => (out += d));
      await waitFor(() => /listening on http/.test(out));
      const exited = new Promise((r) => term.onExit(r));
      term.kill('SIGTERM');
      await exited;
      return stripVTControlCharacters(out).replace(/\r/g, '');
    }
    const child = spawn(process.execPath, fullArgs, { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    await waitFor(() => /listening on http/.test(out) || child.exitCode !== null);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGTERM');
    await exited;
    return out;
  }

  it('JSON lines when stdout is not a terminal; short lines on a terminal; the flag and the variable override', async () => {
    const piped = await startOnce([], {}, false);
    const pipedLogs = piped.split('\n').filter((l) => l.startsWith('{'));
    expect(pipedLogs.map((l) => JSON.parse(l).msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Server listening at/), 'shutting down']),
    );

    const byEnv = await startOnce([], { CODEVF_LOG_FORMAT: 'pretty' }, false);
    expect(byEnv).toMatch(/^\d\d:\d\d:\d\d INFO {2}Server listening at http:\/\/127\.0\.0\.1:\d+$/m);
    expect(byEnv).toMatch(/INFO {2}shutting down signal=SIGTERM$/m);
    expect(byEnv).not.toMatch(/^\{/m);

    const onTerminal = await startOnce([], {}, true);
    expect(onTerminal).toMatch(/INFO {2}Server listening at/);
    expect(onTerminal).not.toMatch(/^\{"level"/m);

    const jsonOnTerminal = await startOnce(['--log-format', 'json'], {}, true);
    expect(jsonOnTerminal).toMatch(/^\{"level":30,/m);

    const bad = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--log-format', 'fancy'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    bad.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => bad.on('exit', r));
    expect(code).toBe(1);
    expect(err).toContain('Error: --log-format must be json or pretty, got "fancy"');
  }, 300_000);
});

async function waitFor(check: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the server');
    await new Promise((r) => setTimeout(r, 50));
  }
}
