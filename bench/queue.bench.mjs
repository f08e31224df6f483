#!/usr/bin/env node
// Queue push (issue 23): with N engineers' consoles holding `GET /v1/queue/stream` open on one
// instance (default 200), the time from a customer's `POST /v1/tasks` leaving the client to the
// queue snapshot naming the new task arriving on each stream, p50/p99/max over every stream and
// every task. Target: p99 under 300 ms at 200 streams. The server runs in a child process
// (lib/benchServer.mjs, embedded SQLite); this process is the customer and the engineers. All
// streams use one engineer account: the server's work per stream does not depend on who holds it.
// Also reported: the machine's CPU steal during the run and a fixed workload timed (lib/machine.mjs).
//   node --import tsx bench/queue.bench.mjs [streams] [tasks]   (npm run bench -- queue)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBenchServer } from './lib/benchServer.mjs';
import { cpuCalibrationMs, stealMeter } from './lib/machine.mjs';
import { serveParent } from './lib/serverChild.mjs';
import { percentile } from './lib/stats.mjs';

const self = fileURLToPath(import.meta.url);

// ---- child: the server ---------------------------------------------------------------------
if (process.argv[2] === '--serve') {
  serveParent(await startBenchServer({ dialect: process.env.BENCH_DIALECT ?? 'sqlite' }));
}

// ---- parent: the customer and the engineers' consoles --------------------------------------
else {
  const streamsWanted = Number(process.argv[2] ?? 200);
  const tasks = Number(process.argv[3] ?? 40);
  const child = fork(self, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise((resolve) => child.once('message', (m) => resolve(m.ready)));

  /** One engineer's stream: calls `onData` with the raw data of each `queue` event. */
  async function openStream(onData) {
    const res = await fetch(`${ready.baseUrl}/v1/queue/stream`, {
      headers: { authorization: `Bearer ${ready.engineerToken}`, accept: 'text/event-stream' },
    });
    if (res.status !== 200) throw new Error(`stream refused: ${res.status} ${await res.text()}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let first;
    const firstSnapshot = new Promise((r) => {
      first = r;
    });
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (!block.startsWith('event: queue\n')) continue;
          first();
          onData(block);
        }
      }
    })().catch(() => {});
    await firstSnapshot;
    return reader;
  }

  // Per task: when its POST left, and when each stream first saw it.
  const sentAt = new Map();
  const latencies = [];
  const seen = Array.from({ length: streamsWanted }, () => new Set());
  const arrivals = new Map();
  const readers = [];
  for (let i = 0; i < streamsWanted; i++) {
    readers.push(
      await openStream((block) => {
        const now = performance.now();
        for (const [id, t0] of sentAt) {
          if (seen[i].has(id) || !block.includes(id)) continue;
          seen[i].add(id);
          latencies.push(now - t0);
          arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
        }
      }),
    );
  }

  const steal = stealMeter();
  const calibration = cpuCalibrationMs();
  steal.start();
  for (let n = 0; n < tasks; n++) {
    const marker = `bench-${n}-${Math.random().toString(36).slice(2)}`;
    const t0 = performance.now();
    const res = await fetch(`${ready.baseUrl}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ready.customerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: `queue bench ${marker}`, mode: 'human' }),
    });
    const task = await res.json();
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(task)}`);
    sentAt.set(task.id, t0);
    const deadline = performance.now() + 10_000;
    while ((arrivals.get(task.id) ?? 0) < streamsWanted) {
      if (performance.now() > deadline) throw new Error(`task ${n} reached ${arrivals.get(task.id) ?? 0} streams`);
      await new Promise((r) => setTimeout(r, 5));
    }
    sentAt.delete(task.id);
    // A customer every quarter second or so, not a flood: each task is measured on a quiet server.
    await new Promise((r) => setTimeout(r, 250));
  }
  steal.stop();
  const stolen = steal.share;

  latencies.sort((a, b) => a - b);
  const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  console.log(`\n## Queue push (bench/queue.bench.mjs, ${process.env.BENCH_DIALECT ?? 'sqlite'})\n`);
  console.log(
    `${streamsWanted} open queue streams on one instance, ${tasks} tasks created one after another; ` +
      `${latencies.length} arrivals. Latency from the POST leaving the customer to the snapshot on a stream, ms.\n`,
  );
  console.log('| streams | p50 | p99 | max | target p99 |');
  console.log('|---:|---:|---:|---:|---:|');
  console.log(
    `| ${streamsWanted} | ${fmt(percentile(latencies, 50))} | ${fmt(percentile(latencies, 99))} | ${fmt(latencies[latencies.length - 1])} | 300 |`,
  );
  console.log(
    `\nMachine: CPU steal ${stolen === null ? 'unknown' : `${(stolen * 100).toFixed(1)} %`}; ` +
      `calibration workload ${calibration.toFixed(0)} ms (shared machine: compare runs with it).`,
  );
  for (const r of readers) r.cancel().catch(() => {});
  child.send({ cmd: 'exit' });
  await new Promise((r) => child.once('exit', r));
}
