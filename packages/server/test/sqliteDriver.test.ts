import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/storage/schema';
import { ConnectionLock, LockingSqliteDialect } from '../src/storage/sqliteDriver';

describe('ConnectionLock', () => {
  it('is taken without waiting when free, and refused to a second taker', () => {
    const lock = new ConnectionLock();
    expect(lock.tryLock()).toBe(true);
    expect(lock.tryLock()).toBe(false);
    lock.unlock();
    expect(lock.tryLock()).toBe(true);
  });

  it('hands the lock to waiters in the order they asked, one at a time', async () => {
    const lock = new ConnectionLock();
    lock.tryLock();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      lock.lock().then(() => {
        order.push(n);
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    lock.unlock();
    await new Promise((r) => setImmediate(r));
    // Handed over, not released: a newcomer cannot jump the queue.
    expect(order).toEqual([1]);
    expect(lock.tryLock()).toBe(false);
    lock.unlock();
    lock.unlock();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    lock.unlock();
    expect(lock.tryLock()).toBe(true);
  });
});

describe('the SQLite dialect and its connection lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codevf-lock-'));
  const lock = new ConnectionLock();
  const storage = {
    db: new Kysely<Database>({ dialect: new LockingSqliteDialect(new SQLite(join(dir, 'lock.sqlite')), lock) }),
  };
  afterAll(async () => {
    await storage.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes Kysely queries wait while code outside Kysely holds the connection', async () => {
    expect(lock?.tryLock()).toBe(true);
    let answered = false;
    const query = sql<{ one: number }>`select 1 as one`.execute(storage.db).then((r) => {
      answered = true;
      return r.rows[0]?.one;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(false);
    lock?.unlock();
    expect(await query).toBe(1);
    // Kysely gave the connection back: the lock is free again.
    expect(lock?.tryLock()).toBe(true);
    lock?.unlock();
  });

  it('runs Kysely transactions, rolling back on error', async () => {
    await storage.db.schema.createTable('t').addColumn('x', 'integer').execute();
    await expect(
      storage.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('t' as never)
          .values({ x: 1 } as never)
          .execute();
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    await storage.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('t' as never)
        .values({ x: 2 } as never)
        .execute();
    });
    const rows = await sql<{ x: number }>`select x from t`.execute(storage.db);
    expect(rows.rows).toEqual([{ x: 2 }]);
  });
});
