import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { cachePreparedStatements } from '../src/storage/statementCache';
import { createStorage, isOtherSchemaDropped } from '../src/storage/storage';
import { POSTGRES_URL } from './support/testServer';

describe('prepared statement cache (sqlite)', () => {
  let file: SQLite.Database | undefined;
  let dir: string | undefined;
  afterEach(() => {
    file?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A better-sqlite3 handle with the cache, as the SQLite storage sets it up. */
  async function handle(): Promise<SQLite.Database> {
    dir = mkdtempSync(join(tmpdir(), 'codevf-storage-'));
    file = new SQLite(join(dir, 'codevf.sqlite'));
    cachePreparedStatements(file);
    return file;
  }

  it('prepares a statement once and reuses it', async () => {
    const file = await handle();
    const first = file.prepare('select 1 as one');
    expect(file.prepare('select 1 as one')).toBe(first);
    expect(first.get()).toEqual({ one: 1 });
    expect(file.prepare('select 2 as two')).not.toBe(first);
  });

  it('stays bounded: when full, the oldest statement goes first, however often it was used', async () => {
    const file = await handle();
    const first = file.prepare('select 0 as n');
    const seen = new Set([first]);
    // 1,000 more statements, twice what the cache holds, with the first one in use all along:
    // kept by recency it would never go; the cache keeps arrival order, so it went (and came
    // back as a newly prepared statement).
    for (let n = 1; n <= 1000; n++) {
      file.prepare(`select ${n} as n`);
      if (n % 10 === 0) seen.add(file.prepare('select 0 as n'));
    }
    expect(seen.size).toBeGreaterThan(1);
    expect(file.prepare('select 0 as n').get()).toEqual({ n: 0 });
    // The newest are still there.
    const newest = file.prepare('select 1000 as n');
    expect(file.prepare('select 1000 as n')).toBe(newest);
  });
});

describe('migrations in a shared PostgreSQL database', () => {
  /** PostgreSQL's own error for a schema that is gone, as Kysely's listing of tables meets it. */
  async function schemaGoneError(name: string): Promise<unknown> {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query('select has_schema_privilege($1, $2)', [name, 'USAGE']);
      return undefined;
    } catch (err) {
      return err;
    } finally {
      await client.end();
    }
  }

  it('starts over when another schema vanished under the migration, never for its own', async () => {
    const other = await schemaGoneError('t_gone_meanwhile');
    expect((other as { code?: string }).code).toBe('3F000');
    expect(isOtherSchemaDropped(other, 't_mine')).toBe(true);
    expect(isOtherSchemaDropped(other, 't_gone_meanwhile')).toBe(false);
    // Without a schema of our own the tables are in public.
    expect(isOtherSchemaDropped(await schemaGoneError('public_gone'), undefined)).toBe(true);
    expect(isOtherSchemaDropped({ code: '3F000', message: 'schema "public" does not exist' }, undefined)).toBe(false);
    // Any other failure is reported as it is.
    expect(isOtherSchemaDropped({ code: '42P01', message: 'relation "x" does not exist' }, 't_mine')).toBe(false);
    expect(isOtherSchemaDropped(new Error('schema "x" does not exist'), 't_mine')).toBe(false);
    expect(isOtherSchemaDropped(undefined, 't_mine')).toBe(false);
  });

  it('migrates its own schema while other schemas come and go beside it', async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    const mine = `t_mig_${randomBytes(5).toString('hex')}`;
    let churning = true;
    // Another tenant (or test file) creating and dropping schemas with tables all along.
    const churn = (async () => {
      while (churning) {
        const name = `t_churn_${randomBytes(5).toString('hex')}`;
        await admin.query(`create schema ${name}; create table ${name}.t (id int primary key, v text)`);
        await admin.query(`drop schema ${name} cascade`);
      }
    })();
    try {
      for (let round = 0; round < 6; round++) {
        const storage = createStorage({ databaseUrl: POSTGRES_URL, dataDir: tmpdir(), pgSchema: mine });
        try {
          const applied = await storage.migrate();
          expect(applied.length > 0).toBe(round === 0);
        } finally {
          await storage.close();
        }
      }
    } finally {
      churning = false;
      await churn;
      await admin.query(`drop schema if exists ${mine} cascade`);
      await admin.end();
    }
  });
});
