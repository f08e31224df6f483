#!/usr/bin/env node
// Transcript reads (issue 19): latency of `GET /v1/tasks/:id/events?after=N&limit=L` on a task
// with 3,000 and 100,000 stored events (SQLite), p50/p99, for a page at the start (after=0)
// and one near the end, with the task's verification checkpoint cold (deleted before each
// request: the read verifies from seq 1) and warm (left as the previous read stored it). Also
// the longest wait of a cheap request (/healthz) sent every 5 ms while a read runs: how long
// the read holds the server's event loop. The events are inserted directly, chained with the
// server's own hashing, so that building 100,000 of them takes seconds. The server runs in a
// child process (lib/benchServer.mjs); this process is only the client.
//   node --import tsx bench/transcript.bench.mjs [sizes…]   (npm run bench -- transcript)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { startBenchServer } from './lib/benchServer.mjs';
import { percentile } from './lib/stats.mjs';

const self = fileURLToPath(import.meta.url);
const LIMIT = 1000;
/** Per scenario: at most this many requests, and no more once this much time went by. */
const MAX_REQUESTS = 40;
const MAX_SCENARIO_MS = 20_000;

// ---- child: the server, and a task with N events written straight into its database --------
if (process.argv[2] === '--serve') {
  const server = await startBenchServer({ dialect: 'sqlite' });
  const { db } = server.storage;
  const { canonicalJson, eventHash } = server.hashing;

  async function buildTask(n) {
    const res = await fetch(`${server.baseUrl}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.customerTokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: `transcript of ${n} events` }),
    });
    const task = await res.json();
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    // Creating the task stored its first event(s); the chain goes on from its head.
    const head = await db
      .selectFrom('tasks')
      .select(['last_seq', 'head_hash'])
      .where('id', '=', task.id)
      .executeTakeFirstOrThrow();
    let prev = head.head_hash;
    await db.transaction().execute(async (trx) => {
      for (let first = Number(head.last_seq) + 1; first <= n; first += 500) {
        const rows = [];
        for (let seq = first; seq < first + 500 && seq <= n; seq++) {
          const fromCustomer = seq % 2 === 1;
          const event = {
            taskId: task.id,
            seq,
            type: fromCustomer ? 'customer_message' : 'engineer_message',
            timestamp: new Date(start + seq * 1000).toISOString(),
            senderId: fromCustomer ? server.customer.id : server.engineer.id,
          };
          const payloadJson = canonicalJson({ text: `message ${seq}: the build fails on the second step again` });
          prev = eventHash(prev, event, payloadJson);
          rows.push({
            task_id: task.id,
            seq,
            type: event.type,
            payload: payloadJson,
            sender_id: event.senderId,
            client_msg_id: null,
            created_at: event.timestamp,
            hash: prev,
          });
        }
        await trx.insertInto('task_events').values(rows).execute();
      }
      await trx
        .updateTable('tasks')
        .set({ last_seq: n, head_hash: prev, status: 'ended', engineer_id: server.engineer.id })
        .where('id', '=', task.id)
        .execute();
    });
    return task.id;
  }

  /** Forgets what earlier reads verified (nothing to forget before the checkpoints existed). */
  async function coldCheckpoint(taskId) {
    const tables =
      await sql`select name from sqlite_master where type = 'table' and name = 'transcript_checkpoints'`.execute(db);
    if (tables.rows.length) await sql`delete from transcript_checkpoints where task_id = ${taskId}`.execute(db);
  }

  process.on('message', async (m) => {
    if (m.cmd === 'build') process.send({ taskId: await buildTask(m.n) });
    else if (m.cmd === 'cold') {
      await coldCheckpoint(m.taskId);
      process.send({ cold: true });
    } else if (m.cmd === 'exit') {
      await server.close();
      process.exit(0);
    }
  });
  process.send({ ready: { baseUrl: server.baseUrl, token: server.customerTokens.access_token } });
}

// ---- parent: the client --------------------------------------------------------------------
else {
  const sizes = process.argv.slice(2).map(Number);
  const child = fork(self, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const replies = [];
  const waiting = [];
  child.on('message', (m) => (waiting.length ? waiting.shift()(m) : replies.push(m)));
  const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((r) => waiting.push(r)));
  const ask = (m) => {
    child.send(m);
    return next();
  };
  const { ready } = await next();
  const headers = { authorization: `Bearer ${ready.token}` };

  /** One read: its latency, the events it returned, and the longest /healthz wait meanwhile. */
  async function timedRead(taskId, after) {
    let done = false;
    let longestProbe = 0;
    const probing = (async () => {
      while (!done) {
        const t = performance.now();
        await fetch(`${ready.baseUrl}/healthz`).then((r) => r.arrayBuffer());
        longestProbe = Math.max(longestProbe, performance.now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const t0 = performance.now();
    const res = await fetch(`${ready.baseUrl}/v1/tasks/${taskId}/events?after=${after}&limit=${LIMIT}`, { headers });
    const body = await res.json();
    const ms = performance.now() - t0;
    done = true;
    await probing;
    if (res.status !== 200 || !body.chain?.verified)
      throw new Error(`read failed: ${JSON.stringify(body).slice(0, 300)}`);
    return { ms, events: body.events.length, longestProbe };
  }

  const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  console.log('\n## Transcript reads (SQLite)\n');
  console.log(`Page size asked for: limit=${LIMIT}. Latency of the whole HTTP request, ms.\n`);
  console.log('| events | page | checkpoint | n | events returned | p50 | p99 | longest /healthz wait |');
  console.log('|---:|---|---|---:|---:|---:|---:|---:|');
  for (const n of sizes.length ? sizes : [3000, 100_000]) {
    const { taskId } = await ask({ cmd: 'build', n });
    for (const [label, after] of [
      ['after=0', 0],
      [`after=${n - 10}`, n - 10],
    ]) {
      for (const cold of [true, false]) {
        // A warm run starts from what one read left behind.
        if (!cold) await timedRead(taskId, after);
        const times = [];
        let returned = 0;
        let probe = 0;
        const began = Date.now();
        while (times.length < MAX_REQUESTS && Date.now() - began < MAX_SCENARIO_MS) {
          if (cold) await ask({ cmd: 'cold', taskId });
          const r = await timedRead(taskId, after);
          times.push(r.ms);
          returned = r.events;
          probe = Math.max(probe, r.longestProbe);
        }
        times.sort((a, b) => a - b);
        console.log(
          `| ${n.toLocaleString('en')} | ${label} | ${cold ? 'cold' : 'warm'} | ${times.length} | ${returned} | ${fmt(percentile(times, 50))} | ${fmt(percentile(times, 99))} | ${fmt(probe)} |`,
        );
      }
    }
  }
  child.send({ cmd: 'exit' });
}
