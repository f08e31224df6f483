import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthUser } from '../src/auth/guards';
import { preparedQuery } from '../src/storage/preparedQuery';
import { eventsAfter } from '../src/tasks/eventLog';
import { createTask } from '../src/tasks/taskService';
import { withTaskLock } from '../src/tasks/taskTransaction';
import { startTestServer, type TestServer } from './support/testServer';

/** Rejects when `p` has not settled within `ms`: what "fails at once" means here, rather than a hang. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)),
  ]);
}

describe.each(['sqlite', 'postgres'] as const)('the wrong handle inside a task transaction (%s)', (dialect) => {
  let server: TestServer;
  let taskId: string;
  beforeAll(async () => {
    server = await startTestServer({ dialect });
    const customer = await server.createUser({ role: 'customer', credits: 100 });
    const user = {
      ...customer,
      title: null,
      credits: 100,
      via: 'bearer',
      grant: { kind: 'login', familyId: 'test' },
    } as AuthUser;
    taskId = (await createTask(server.ctx, user, { description: 'wrong handle', mode: 'human' })).id;
  });
  afterAll(async () => server?.close());

  it('fails a query through storage.db at once with a clear error, and commits nothing of the work', async () => {
    const { ctx } = server;
    const before = await eventsAfter(ctx.storage.db, taskId, 0);
    const attempt = withTaskLock(ctx, taskId, ctx.clock.now(), async (tx) => {
      await tx.append('customer_message', { text: 'not to be kept' });
      // The mistake: the storage's own handle instead of tx.trx.
      return ctx.storage.db.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirst();
    });
    await expect(within(2000, attempt)).rejects.toMatchObject({
      name: 'WrongHandleError',
      message: expect.stringMatching(/storage\.db inside a transaction.*own handle/),
    });
    expect(await eventsAfter(ctx.storage.db, taskId, 0)).toEqual(before);
  });

  it('refuses a transaction begun inside another one’s work', async () => {
    const { ctx } = server;
    const attempt = withTaskLock(ctx, taskId, ctx.clock.now(), () =>
      withTaskLock(ctx, taskId, ctx.clock.now(), async () => 'nested'),
    );
    await expect(within(2000, attempt)).rejects.toMatchObject({ name: 'WrongHandleError' });
  });

  it('leaves the storage usable, inside (through tx.trx) and outside the transaction', async () => {
    const { ctx } = server;
    const change = await within(
      2000,
      withTaskLock(ctx, taskId, ctx.clock.now(), async (tx) => {
        const row = await tx.trx.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirst();
        await tx.append('customer_message', { text: 'kept' });
        return row?.status;
      }),
    );
    expect(change.value).toBe('queued');
    const texts = (await eventsAfter(ctx.storage.db, taskId, 0)).map((e) => JSON.parse(e.payloadJson).text);
    expect(texts.at(-1)).toBe('kept');
  });

  it('reads prepared statements outside a transaction, and refuses them inside one’s work and for a write', async () => {
    const { ctx } = server;
    const status = preparedQuery('test:taskStatus', (db, p: { id: string }) =>
      db.selectFrom('tasks').select('status').where('id', '=', p.id),
    );
    expect((await ctx.storage.read(status, { id: taskId })).rows).toEqual([{ status: 'queued' }]);
    expect((await ctx.storage.read(status, { id: 'no-such-task' })).rows).toEqual([]);
    const inside = withTaskLock(ctx, taskId, ctx.clock.now(), () => ctx.storage.read(status, { id: taskId }));
    await expect(within(2000, inside)).rejects.toMatchObject({ name: 'WrongHandleError' });
    const rename = preparedQuery('test:renameTask', (db, p: { id: string; description: string }) =>
      db.updateTable('tasks').set({ description: p.description }).where('id', '=', p.id),
    );
    await expect(ctx.storage.read(rename, { id: taskId, description: 'changed' })).rejects.toMatchObject({
      name: 'NotAReadError',
    });
    const row = await ctx.storage.db
      .selectFrom('tasks')
      .select('description')
      .where('id', '=', taskId)
      .executeTakeFirst();
    expect(row?.description).toBe('wrong handle');
  });
});
