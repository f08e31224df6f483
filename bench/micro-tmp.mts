import SQLite from 'better-sqlite3';
if (process.env.CACHE) { const orig = SQLite.prototype.prepare; (SQLite.prototype as any).prepare = function (this: any, q: string) { this._c ??= new Map(); let st = this._c.get(q); if (!st) { st = orig.call(this, q); this._c.set(q, st); } return st; }; }
import { randomUUID } from 'node:crypto';
import { startTestServer } from '../e2e/harness/server';
import { handleMessage } from '../packages/server/src/live/messageHandlers';
import { withTaskLock } from '../packages/server/src/tasks/taskLock';
const dialect = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const server = await startTestServer({ dialect });
if (process.env.SYNC) { const { sql } = await import('kysely'); await sql.raw(`pragma synchronous = ${process.env.SYNC}`).execute(server.ctx.storage.db); }
const customer = await server.createUser({ role: 'customer', credits: 100 });
const engineer = await server.createUser({ role: 'engineer' });
const ct = (await server.issueTokens(customer.id)).accessToken;
const et = (await server.issueTokens(engineer.id)).accessToken;
const task = await (await fetch(`${server.baseUrl}/v1/tasks`, { method: 'POST', headers: { authorization: `Bearer ${ct}`, 'content-type': 'application/json' }, body: JSON.stringify({ description: 'x' }) })).json();
await fetch(`${server.baseUrl}/v1/tasks/${task.id}/claim`, { method: 'POST', headers: { authorization: `Bearer ${et}` } });
const sender = { user: { id: customer.id } as never, role: 'customer' as const, taskId: task.id };
const N = 2000;
for (let i = 0; i < 200; i++) await handleMessage(server.ctx, sender, 'customer_message', { text: 'warm' }, randomUUID());
let t0 = performance.now();
for (let i = 0; i < N; i++) await handleMessage(server.ctx, sender, 'customer_message', { text: `m${i}` }, randomUUID());
console.log(dialect, 'handleMessage', ((performance.now() - t0) / N).toFixed(3), 'ms');
t0 = performance.now();
for (let i = 0; i < N; i++) await withTaskLock(server.ctx.storage.db, task.id, new Date(), async () => {});
console.log(dialect, 'empty lock tx', ((performance.now() - t0) / N).toFixed(3), 'ms');
t0 = performance.now();
for (let i = 0; i < N; i++) await server.ctx.storage.db.selectFrom('tasks').select('id').where('id', '=', task.id).execute();
console.log(dialect, 'one select', ((performance.now() - t0) / N).toFixed(3), 'ms');
await server.close();
