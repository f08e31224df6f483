import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createStorage, type Storage, sqliteHandleOf } from '../src/storage/storage';

describe('prepared statement cache (sqlite)', () => {
  let storage: Storage | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await storage?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The better-sqlite3 handle of a fresh storage, as the relay's hot path reaches it. */
  async function handle(): Promise<SQLite.Database> {
    dir = mkdtempSync(join(tmpdir(), 'codevf-storage-'));
    storage = createStorage({ dataDir: dir });
    const file = await storage.db.transaction().execute(async (trx) => sqliteHandleOf(trx));
    if (!file) throw new Error('no SQLite handle');
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
