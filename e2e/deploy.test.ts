/**
 * The files in deploy/: the compose file is valid (`docker compose config`, where the docker CLI
 * has compose), the systemd unit passes `systemd-analyze verify`, and every server setting they
 * name is one the server reads — a misspelt CODEVF_* variable would be silently ignored.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const DEPLOY = join(ROOT, 'deploy');
const read = (name: string) => readFileSync(join(DEPLOY, name), 'utf8');

/** Every environment variable the server's sources read (`env.X`, `process.env.X`). */
function variablesTheServerReads(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
      }
    }
  };
  walk(join(ROOT, 'packages/server/src'));
  return names;
}

const SERVER_SETTING = /^(CODEVF_[A-Z0-9_]+|DATABASE_URL|REDIS_URL)$/;
/** Used by compose and Caddy only, never by the server. */
const DEPLOY_ONLY = new Set(['CODEVF_DOMAIN']);

function settingsIn(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((m) => m[1]!).filter((n) => SERVER_SETTING.test(n) && !DEPLOY_ONLY.has(n));
}

describe('deploy/', () => {
  it('names only settings the server reads', () => {
    const known = variablesTheServerReads();
    expect(known.has('DATABASE_URL') && known.has('CODEVF_TRUST_PROXY') && known.has('CODEVF_LOG_FORMAT')).toBe(true);
    const compose = read('compose.yaml');
    const codevfBlock = compose.slice(compose.indexOf('x-codevf:'), compose.indexOf('\nservices:'));
    const named = [
      ...settingsIn(codevfBlock, /^ {4}([A-Z][A-Z0-9_]*):/gm),
      ...settingsIn(read('.env.example'), /^([A-Z][A-Z0-9_]*)=/gm),
      ...settingsIn(read('codevf-server.env.example'), /^#?\s*([A-Z][A-Z0-9_]*)=/gm),
      ...settingsIn(read('codevf-server@.service'), /(?:^Environment=|\s)([A-Z][A-Z0-9_]*)=/gm),
    ];
    expect(named.length).toBeGreaterThan(15);
    expect(named.filter((n) => !known.has(n))).toEqual([]);
  });

  it('the compose file is valid (docker compose config)', (ctx) => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      const why = (probe.error?.message ?? probe.stderr ?? '').trim().split('\n')[0];
      ctx.skip(`docker compose is not available here (${why}); deploy/compose.yaml was not validated`);
    }
    const compose = ['compose', '-f', join(DEPLOY, 'compose.yaml')];
    const ok = spawnSync('docker', [...compose, '--env-file', join(DEPLOY, '.env.example'), 'config', '--quiet'], {
      encoding: 'utf8',
    });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const config = execFileSync('docker', [...compose, '--env-file', join(DEPLOY, '.env.example'), 'config'], {
      encoding: 'utf8',
    });
    for (const service of ['postgres:', 'redis:', 'codevf-1:', 'codevf-2:', 'caddy:'])
      expect(config).toContain(service);
    // Without the secrets it refuses to start instead of running with empty passwords.
    const empty = mkdtempSync(join(tmpdir(), 'codevf-compose-'));
    try {
      writeFileSync(join(empty, '.env'), '');
      const missing = spawnSync('docker', [...compose, '--env-file', join(empty, '.env'), 'config', '--quiet'], {
        encoding: 'utf8',
        env: { ...process.env, POSTGRES_PASSWORD: '', REDIS_PASSWORD: '', CODEVF_DOMAIN: '' },
      });
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toMatch(/set (POSTGRES_PASSWORD|REDIS_PASSWORD|CODEVF_DOMAIN) in deploy\/\.env/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('the systemd unit passes systemd-analyze verify', (ctx) => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) ctx.skip('systemd-analyze is not available here; the unit was not verified');
    const dir = mkdtempSync(join(tmpdir(), 'codevf-unit-'));
    try {
      // An instance of the template, with an ExecStart that exists on this machine (verify
      // checks it); every other line is the shipped file's.
      const unit = read('codevf-server@.service');
      expect(unit).toContain('ExecStart=/usr/local/bin/codevf-server start');
      const file = join(dir, 'codevf-server@7878.service');
      writeFileSync(file, unit.replace('/usr/local/bin/codevf-server', process.execPath));
      const out = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8' });
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
