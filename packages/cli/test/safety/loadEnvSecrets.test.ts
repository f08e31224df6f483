import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvSecrets } from '../../src/safety/loadEnvSecrets';
import { createRedactor } from '../../src/safety/redactor';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'codevf-env-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('loadEnvSecrets', () => {
  it('reads every top-level .env* file with dotenv syntax', async () => {
    writeFileSync(join(root, '.env'), 'DB_PASSWORD=plain-value-1\n# comment\nexport API_TOKEN="quoted value 2"\n');
    writeFileSync(join(root, '.env.local'), "LOCAL_SECRET='single-quoted-3' # trailing comment\n");
    writeFileSync(join(root, '.env.production'), 'STRIPE=prod-value-4\n');
    writeFileSync(join(root, '.envrc'), 'export DIRENV_TOKEN=direnv-value-5\n');
    const values = await loadEnvSecrets(root);
    expect(values.sort()).toEqual(
      ['direnv-value-5', 'plain-value-1', 'prod-value-4', 'quoted value 2', 'single-quoted-3'].sort(),
    );
  });

  it('leaves out values that are obviously not secrets', async () => {
    writeFileSync(
      join(root, '.env'),
      [
        'NODE_ENV=development',
        'DEBUG=true',
        'PORT=3000',
        'RATIO=0.5',
        'LOG_LEVEL=info',
        'HOST=localhost',
        'APP_URL=http://localhost:3000/',
        'EMPTY=',
        'REAL=keep-this-one',
      ].join('\n'),
    );
    expect(await loadEnvSecrets(root)).toEqual(['keep-this-one']);
  });

  it('returns a multi-line value whole and line by line, without PEM armour lines', async () => {
    writeFileSync(
      join(root, '.env'),
      'KEY="-----BEGIN PRIVATE KEY-----\nAAAAline-one\nBBBBline-two\n-----END PRIVATE KEY-----"\n',
    );
    const values = await loadEnvSecrets(root);
    expect(values).toContain('AAAAline-one');
    expect(values).toContain('BBBBline-two');
    expect(values.some((v) => v.includes('\n'))).toBe(true);
    expect(values).not.toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('ignores other files, nested .env files and directories named .env*', async () => {
    writeFileSync(join(root, 'env.txt'), 'A=not-read-1\n');
    writeFileSync(join(root, 'config.env'), 'A=not-read-2\n');
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', '.env'), 'A=not-read-3\n');
    mkdirSync(join(root, '.env.d'));
    expect(await loadEnvSecrets(root)).toEqual([]);
  });

  it('returns nothing for a missing project root or unparseable content', async () => {
    expect(await loadEnvSecrets(join(root, 'missing'))).toEqual([]);
    writeFileSync(join(root, '.env'), '\u0000\u0001 not an env file');
    expect(await loadEnvSecrets(root)).toEqual([]);
  });

  it('feeds the redactor so .env values are masked in output', async () => {
    writeFileSync(join(root, '.env'), 'SMTP_PASS=mail-pass-77\n');
    const redactor = createRedactor({ extraValues: await loadEnvSecrets(root) });
    expect(redactor.redact('login with mail-pass-77 failed').text).toBe('login with [REDACTED:env-value] failed');
  });
});
