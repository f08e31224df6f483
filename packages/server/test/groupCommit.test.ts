import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/hashChain';
import type { AuthUser } from '../src/auth/guards';
import { ApiError } from '../src/http/errors';
import { handleMessage } from '../src/live/messageHandlers';
import { preparedQuery } from '../src/storage/preparedQuery';
import type { Database } from '../src/storage/schema';
import type { StorageTx } from '../src/storage/storage';
import { eventsAfter } from '../src/tasks/eventLog';
import { claimTask, createTask } from '../src/tasks/taskService';
import { withTaskLock } from '../src/tasks/taskTransaction';
import { startTestServer, type TestServer, type TestUser } from './support/testServer';

const asAuth = (u: TestUser): AuthUser =>
  ({ ...u, title: null, credits: 0, via: 'bearer', grant: { kind: 'login', familyId: 'test' } }) as AuthUser;

/**
 * Appends that arrive together share one SQLite transaction (GroupCommit); on PostgreSQL each
 * is its own. Either way every guarantee of a single append must hold: per-task order and
 * gap-free seq, the hash chain, a refused message storing nothing, idempotent re-sends.
 */
describe.each(['sqlite', 'postgres'] as const)('concurrent appends (%s)', (dialect) => {
  let server: TestServer;
  let customer: AuthUser;
  let engineer: AuthUser;
  beforeAll(async () => {
    server = await startTestServer({ dialect });
    customer = asAuth(await server.createUser({ role: 'customer', credits: 1000 }));
    engineer = asAuth(await server.createUser({ role: 'engineer' }));
  });
  afterAll(async () => server?.close());

  async function activeTask(): Promise<string> {
    const task = await createTask(server.ctx, customer, { description: 'group commit', mode: 'human' });
    await claimTask(server.ctx, engineer, task.id);
    return task.id;
  }

  it('keeps order, gap-free seqs and the chain, and drops only the appends of a refused job', async () => {
    const { ctx } = server;
    const tasks = await Promise.all([activeTask(), activeTask(), activeTask()]);
    const heads = await Promise.all(tasks.map((id) => eventsAfter(ctx.storage.db, id, 0)));
    // Fired at once, so on SQLite they queue up behind each other and commit in shared batches.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        withTaskLock(ctx, tasks[i % 3] as string, ctx.clock.now(), async (tx) => {
          await tx.append('customer_message', { text: `m${i}` }, { senderId: customer.id });
          // Every fifth job breaks a rule after it has written: its append must not survive.
          if (i % 5 === 4) throw new ApiError('E_CONFLICT', `refused ${i}`);
          return i;
        }),
      ),
    );
    for (const [i, o] of outcomes.entries()) {
      if (i % 5 === 4) expect(o).toMatchObject({ status: 'rejected', reason: { message: `refused ${i}` } });
      else expect(o).toMatchObject({ status: 'fulfilled', value: { value: i } });
    }
    for (const [t, id] of tasks.entries()) {
      const all = await eventsAfter(ctx.storage.db, id, 0);
      const before = heads[t]?.length ?? 0;
      const texts = all.slice(before).map((e) => (JSON.parse(e.payloadJson) as { text: string }).text);
      const expected = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 3 === t && i % 5 !== 4);
      // SQLite applies queued jobs in arrival order; PostgreSQL runs them side by side (a live
      // connection sends its next message only after the previous one's ack).
      if (dialect === 'sqlite') expect(texts).toEqual(expected.map((i) => `m${i}`));
      else expect(texts.sort()).toEqual(expected.map((i) => `m${i}`).sort());
      const row = await ctx.storage.db
        .selectFrom('tasks')
        .select(['last_seq', 'head_hash'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const chained = all.map((e) => ({ ...e, payload: JSON.parse(e.payloadJson) }));
      const verdict = verifyChain(chained, { lastSeq: Number(row.last_seq), headHash: row.head_hash });
      expect(verdict.verified).toBe(true);
    }
  });

  it('stores a message re-sent while the original is still uncommitted once, acked with one seq', async () => {
    const { ctx } = server;
    const taskId = await activeTask();
    const sender = { user: customer, role: 'customer' as const, taskId };
    const send = () => handleMessage(ctx, sender, 'customer_message', { text: 'twice' }, 'dup-id-1');
    const [a, b, c] = await Promise.all([send(), send(), send()]);
    expect(a.seq).not.toBeNull();
    expect(b.seq).toBe(a.seq);
    expect(c.seq).toBe(a.seq);
    const stored = (await eventsAfter(ctx.storage.db, taskId, 0)).filter((e) => e.clientMsgId === 'dup-id-1');
    expect(stored).toHaveLength(1);
    // Another participant may not reuse the id, even in the same batch.
    const other = { user: engineer, role: 'engineer' as const, taskId };
    await expect(handleMessage(ctx, other, 'engineer_message', { text: 'mine now' }, 'dup-id-1')).rejects.toMatchObject(
      { code: 'E_CONFLICT' },
    );
  });
});

/** The probe table of these tests, which the schema's types do not know. */
const probe = (db: Kysely<Database>) => db as unknown as Kysely<{ gc_probe: { v: string } }>;

describe('GroupCommit (the SQLite storage transaction)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect: 'sqlite' });
    await sql`create table gc_probe (v text not null unique)`.execute(server.ctx.storage.db);
  });
  afterAll(async () => server?.close());
  const stored = async () =>
    (await sql<{ v: string }>`select v from gc_probe order by v`.execute(server.ctx.storage.db)).rows.map((r) => r.v);
  const insert = (v: string) => (tx: StorageTx) =>
    sql`insert into gc_probe (v) values (${v})`.execute(tx.db).then(() => v);

  it('rolls back only the job whose statement failed; the others commit', async () => {
    const gc = server.ctx.storage;
    const results = await Promise.allSettled([
      gc.transaction(insert('a')),
      gc.transaction(insert('a')), // unique violation: this job alone fails
      gc.transaction(async (tx) => {
        await insert('b')(tx);
        throw new Error('not an ApiError either');
      }),
      gc.transaction(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(await stored()).toEqual(['a', 'c']);
  });

  it('fails every job of a batch whose transaction is lost, and commits none of it', async () => {
    const gc = server.ctx.storage;
    const results = await Promise.allSettled([
      gc.transaction(insert('d')),
      // Ends the shared transaction behind the committer's back, as an I/O error would.
      gc.transaction((tx) => sql`rollback`.execute(tx.db)),
      gc.transaction(insert('e')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await stored()).toEqual(['a', 'c']);
    // The committer is usable afterwards.
    await expect(gc.transaction(insert('f'))).resolves.toBe('f');
    expect(await stored()).toEqual(['a', 'c', 'f']);
  });

  it('undoes the writes of a job that fails alone in its batch (no savepoint needed)', async () => {
    const gc = server.ctx.storage;
    await expect(
      gc.transaction(async (tx) => {
        await insert('g')(tx);
        throw new Error('refused after writing');
      }),
    ).rejects.toThrow('refused after writing');
    await expect(gc.transaction(insert('h'))).resolves.toBe('h');
    expect(await stored()).toEqual(['a', 'c', 'f', 'h']);
  });

  it('keeps the process’s other queries out of its transaction until it ends', async () => {
    const gc = server.ctx.storage;
    let outside: Promise<unknown> | undefined;
    // Another request: code that does not run inside the transaction's work.
    const anotherRequest = AsyncLocalStorage.snapshot();
    await expect(
      gc.transaction(async (tx) => {
        await insert('k')(tx);
        // Another request's write, issued while the batch is open and waiting on something.
        outside = anotherRequest(() => sql`insert into gc_probe (v) values ('l')`.execute(server.ctx.storage.db));
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('refused after writing');
      }),
    ).rejects.toThrow('refused after writing');
    // Had it run inside the batch's transaction, the rollback would have taken it along.
    await outside;
    expect(await stored()).toEqual(['a', 'c', 'f', 'h', 'l']);
  });

  it('takes the write lock before its jobs read, so another process’s commit cannot fail it', async () => {
    const file = join(server.dataDir, 'codevf.sqlite');
    // Another process (as `codevf-server` granting credits would be) holds the write lock.
    const other = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         db.exec("begin immediate; insert into gc_probe (v) values ('m')");
         console.log('locked');
         setTimeout(() => { db.exec('commit'); db.close(); }, 300);`,
        String(file),
      ],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => other.stdout.once('data', () => resolve()));
    const gc = server.ctx.storage;
    // Reads, then writes: with a deferred BEGIN the read would see the database before the
    // other process's commit, and the write after it would fail with SQLITE_BUSY_SNAPSHOT.
    const seen = await gc.transaction(async (tx) => {
      const { rows } = await sql<{ v: string }>`select v from gc_probe where v = 'm'`.execute(tx.db);
      await insert('n')(tx);
      return rows.length;
    });
    expect(seen).toBe(1);
    await new Promise((resolve) => other.once('exit', resolve));
    expect(await stored()).toEqual(['a', 'c', 'f', 'h', 'l', 'm', 'n']);
  });

  const probeInsert = preparedQuery('probe-insert', (db, p: { v: string }) =>
    probe(db).insertInto('gc_probe').values({ v: p.v }),
  );
  const probeSelect = preparedQuery('probe-select', (db, p: { v: string }) =>
    probe(db).selectFrom('gc_probe').select('v').where('v', '=', p.v),
  );

  it('runs prepared statements on the connection of their SQLite transaction, with the results Kysely gives', async () => {
    const storage = server.ctx.storage;
    const viaPrepared = await storage.transaction(async (tx) => {
      const ins = await tx.run(probeInsert, { v: 'i' });
      const sel = await tx.run(probeSelect, { v: 'i' });
      return { affected: ins.numAffectedRows, rows: sel.rows };
    });
    expect(viaPrepared).toEqual({ affected: 1n, rows: [{ v: 'i' }] });
    // Rolled back with its transaction like any other statement.
    await expect(
      storage.transaction(async (tx) => {
        await tx.run(probeInsert, { v: 'j' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await stored()).toEqual(['a', 'c', 'f', 'h', 'i', 'l', 'm', 'n']);
  });

  it('binds named values where Kysely puts them, in whatever order the query uses them', async () => {
    const between = preparedQuery('probe-between', (db, p: { low: string; high: string }) =>
      probe(db).selectFrom('gc_probe').select('v').where('v', '<=', p.high).where('v', '>=', p.low).orderBy('v'),
    );
    const { rows } = await server.ctx.storage.transaction((tx) => tx.run(between, { low: 'b', high: 'f' }));
    expect(rows).toEqual([{ v: 'c' }, { v: 'f' }]);
  });

  it('refuses a prepared query that uses a named value inside an expression instead of binding it', async () => {
    const mixed = preparedQuery('probe-mixed', (db, p: { v: string }) =>
      probe(db).selectFrom('gc_probe').select('v').where('v', '=', `x${p.v}`),
    );
    await expect(server.ctx.storage.transaction((tx) => tx.run(mixed, { v: 'y' }))).rejects.toThrow(/expression/);
  });
});
