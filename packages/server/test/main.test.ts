import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '../src/main.ts');

describe('codevf-server start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'codevf-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on a free port with the embedded default, serves, and shuts down gracefully on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, 'start', '--port', '0', '--data-dir', dataDir, '--dev'],
      {
        env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', CODEVF_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    expect(out).toMatch(/customer@codevf\.local\s+password: \S+/);
    expect(out).toContain('SQLite');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  }, 30_000);
});
