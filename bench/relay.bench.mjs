#!/usr/bin/env node
// Live-session relay: latency customer → server → engineer (p50/p99) at 1, 100 and 1,000
// concurrent sessions, next to a raw `ws` echo server and a bare `ws` relay (forward and ack,
// nothing else) measured in the same run; server memory per idle live connection; and how many
// sessions one instance holds. The server and the echo (and bare relay) server each run in
// their own child process; this process is only the clients. Target
// (issue 3): relay p99 within 3× the raw echo's at 1,000 sessions; under 100 KB per idle
// connection. Also reported: the server's busy time per relayed message (steadier than p99)
// and how much of the paced tail at the largest level overlaps a GC pause or a database
// statement that blocked the server's event loop (lib/tailAttribution.mjs, lib/slowStatements.mjs),
// and how much of the machine the run got: CPU steal and a fixed workload timed (lib/machine.mjs). The
// server runs as a bundle of its sources, built the way the shipped server is (lib/benchServer.mjs).
// The clients run under SCHED_BATCH, so that they share the servers' cores without preempting
// them at every frame (lib/machine.mjs, yieldOnWakeup).
//   TMPDIR=/dev/shm to put the server's database on tmpfs: the relay without a disk under it.
//   node --expose-gc --import tsx bench/relay.bench.mjs [maxSessions]   (npm run bench -- relay)
//   BENCH_DIALECT=postgres to measure on PostgreSQL (default: the embedded SQLite).
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" to profile the server child.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { startBenchServer } from './lib/benchServer.mjs';
import { helloFrame } from './lib/hello.mjs';
import { cpuCalibrationMs, stealMeter, yieldOnWakeup } from './lib/machine.mjs';
import { serveParent } from './lib/serverChild.mjs';
import { recordSlowStatements } from './lib/slowStatements.mjs';
import { percentile } from './lib/stats.mjs';
import { attributeTail, recordGcPauses } from './lib/tailAttribution.mjs';

const self = fileURLToPath(import.meta.url);
const gc = () => {
  globalThis.gc?.();
  globalThis.gc?.();
};

// ---- child: the CodeVF server, built directly (quiet logger), driven over IPC --------------
if (process.argv[2] === '--serve') {
  const gcPauses = recordGcPauses();
  const dbStalls = recordSlowStatements();
  const server = await startBenchServer({ dialect: process.env.BENCH_DIALECT ?? 'sqlite' });
  serveParent(
    server,
    {
      pauses: () => process.send({ pauses: { gc: gcPauses, db: dbStalls } }),
      elu: () =>
        process.send({
          elu: performance.eventLoopUtilization(),
          preempted: process.resourceUsage().involuntaryContextSwitches,
        }),
      mem: () => {
        gc();
        process.send({ mem: process.memoryUsage() });
      },
    },
    { dialect: server.dialect },
  );
}

// ---- child: a raw ws echo server, the floor to compare with --------------------------------
// On /pair/<n>/customer and /pair/<n>/engineer it is also a bare relay: the customer's frame
// goes to the paired engineer socket, and a turn later back to the customer with an ack, in
// one write — the fan-out of packages/server/src/live/liveConnection.ts without the relay's
// work: no validation, no database, no hash. What the relay's topology alone costs.
else if (process.argv[2] === '--echo') {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const engineers = new Map();
  wss.on('connection', (ws, req) => {
    const pair = /^\/pair\/(\d+)\/(customer|engineer)$/.exec(req.url ?? '');
    if (!pair) return ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    const [, n, role] = pair;
    if (role === 'engineer') return engineers.set(n, ws);
    ws.on('message', (data) => {
      const text = data.toString();
      engineers.get(n)?.send(text);
      setImmediate(() => {
        ws._socket.cork();
        ws.send(text);
        ws.send(`{"type":"ack","payload":{"seq":1}}`);
        ws._socket.uncork();
      });
    });
  });
  wss.on('listening', () => process.send({ ready: { port: wss.address().port } }));
  process.on('message', (m) => {
    if (m.cmd === 'mem') {
      gc();
      process.send({ mem: process.memoryUsage() });
    } else if (m.cmd === 'exit') process.exit(0);
  });
}

// ---- parent: the clients and the report ----------------------------------------------------
else {
  const maxSessions = Number(process.argv[2] ?? 4000);
  // Before any other process of the benchmark runs: the machine's speed today.
  const calibrationMs = cpuCalibrationMs();
  const clientGc = recordGcPauses();
  // burst: every session sends its next message as soon as the previous one arrived (closed
  // loop: the server is saturated, this measures its throughput ceiling as latency).
  // paced: every session sends on its own clock, one message per `everyMs` with a random
  // phase (open loop: a live chat or a command streaming output), whatever the server does.
  const LEVELS = [
    { sessions: 1, burst: 400, paced: { everyMs: 10, count: 400 } },
    { sessions: 100, burst: 20, paced: { everyMs: 1000, count: 10 } },
    { sessions: 1000, burst: 5, paced: { everyMs: 1000, count: 10 }, rounds: 5 },
  ];

  function startChild(flag) {
    // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server only.
    const extra = flag === '--serve' ? (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean) : [];
    const child = fork(self, [flag], {
      execArgv: ['--expose-gc', '--import', 'tsx', ...extra],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m.ready));
      child.once('exit', (code) => reject(new Error(`${flag} child exited with ${code}`)));
    });
    const ask = (cmd) =>
      new Promise((resolve) => {
        child.once('message', resolve);
        child.send({ cmd });
      });
    return { child, ready, ask };
  }
  const memOf = async (c) => (await c.ask('mem')).mem;
  // One GC'd sample right after heavy traffic is dominated by freed buffers (it even came out
  // negative); settle first, then take the median of five samples.
  const settledMem = async (c) => {
    const samples = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 200));
      samples.push(await memOf(c));
    }
    const median = (key) => samples.map((m) => m[key]).sort((a, b) => a - b)[2];
    return { rss: median('rss'), heapUsed: median('heapUsed'), external: median('external') };
  };

  const server = startChild('--serve');
  const echo = startChild('--echo');
  const { baseUrl, customerToken, engineerToken, dialect } = await server.ready;
  const { port: echoPort } = await echo.ready;
  // Clients on other machines never take a server's CPU; these share its two cores. Under the
  // batch policy a client woken by a server's frame waits for the running thread rather than
  // preempting it mid-message (see yieldOnWakeup). Set after the servers were forked, so that
  // they keep the normal policy; it applies to the relay, bare relay and echo rounds alike.
  const clientsYield = yieldOnWakeup();
  const wsBase = baseUrl.replace(/^http/, 'ws');

  async function http(method, path, token, body) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }

  /** A live socket that has said hello; `onFrame` sees every frame, parsed. */
  function openLive(taskId, token, onFrame) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${wsBase}/v1/tasks/${taskId}/ws`, { headers: { authorization: `Bearer ${token}` } });
      ws.once('error', reject);
      ws.once('open', () => ws.send(helloFrame()));
      let welcomed = false;
      ws.on('message', (data) => {
        // Once welcomed, a socket that measures nothing (the customer's: acks and its own
        // events) leaves its frames unparsed — that work would be the benchmark's, not the relay's.
        if (welcomed && !onFrame) return;
        const f = JSON.parse(String(data));
        if (f.type === 'welcome') {
          welcomed = true;
          resolve(ws);
        }
        onFrame?.(f);
      });
    });
  }

  /** Resolvers waiting for "this probe text arrived at the engineer". */
  const waiting = new Map();
  const onEngineerFrame = (f) => {
    if (f.type !== 'customer_message') return;
    const done = waiting.get(f.payload.text);
    if (done) {
      waiting.delete(f.payload.text);
      done(performance.now());
    }
  };

  const sessions = [];
  async function addSessions(target) {
    let next = sessions.length;
    const worker = async () => {
      while (next < target) {
        next++;
        // One at a time per worker, so the queue stays short (each claim re-ranks the queue).
        const task = await http('POST', '/v1/tasks', customerToken, { description: 'bench session' });
        await http('POST', `/v1/tasks/${task.id}/claim`, engineerToken);
        const customer = await openLive(task.id, customerToken);
        const engineer = await openLive(task.id, engineerToken, onEngineerFrame);
        sessions.push({ taskId: task.id, customer, engineer });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }

  const stats = (lat) => {
    const s = [...lat].sort((a, b) => a - b);
    return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99) };
  };

  const sleepUntil = (t) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

  /**
   * Runs one load pattern over `n` senders; `sendOne(i, k, done)` sends message k of sender i
   * and calls `done(latencyMs)` when it arrived. Burst: each sender waits for its previous
   * message; paced: each sends on schedule and latencies are collected as they come (and, with
   * `trace`, as [sent at (wall clock), latency] pairs). The client is the measuring instrument:
   * while a paced load runs it keeps nothing per message but two numbers in preallocated
   * arrays — promises held until the round ended made its own GC pauses longer, and those
   * pauses land in the samples of whatever it measures.
   */
  async function load(n, pattern, sendOne, trace) {
    if (pattern.burst) {
      const lat = [];
      const sendNext = (i, k) => new Promise((resolve) => sendOne(i, k, resolve));
      await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          for (let k = 0; k < pattern.burst; k++) lat.push(await sendNext(i, k));
        }),
      );
      return lat;
    }
    const { everyMs, count } = pattern.paced;
    const lat = new Float64Array(n * count);
    const sentAt = new Float64Array(n * count);
    let arrived = 0;
    let allArrived;
    const finished = new Promise((resolve) => {
      allArrived = resolve;
    });
    const record = (at) => (ms) => {
      sentAt[arrived] = at;
      lat[arrived] = ms;
      if (++arrived === lat.length) allArrived();
    };
    // One schedule for all senders (each at its own random phase), walked with one timer at
    // a time: a timer, a promise and a suspended function per sender would all outlive the
    // client's young-generation GCs.
    const phase = Array.from({ length: n }, () => Math.random() * everyMs);
    const byPhase = [...phase.keys()].sort((a, b) => phase[a] - phase[b]);
    const start = performance.now();
    for (let k = 0; k < count; k++) {
      for (const i of byPhase) {
        const due = start + phase[i] + k * everyMs;
        if (due > performance.now()) await sleepUntil(due);
        sendOne(i, k, record(performance.timeOrigin + performance.now()));
      }
    }
    await finished;
    if (trace) for (let j = 0; j < lat.length; j++) trace.push([sentAt[j], lat[j]]);
    return Array.from(lat);
  }

  /** Relay: customer socket → server (persist, seq, hash, ack) → engineer socket. */
  function relaySender(list) {
    return (i, k, done) => {
      const text = `bench ${i} ${k} ${randomUUID()}`;
      const t0 = performance.now();
      waiting.set(text, (t) => done(t - t0));
      list[i].customer.send(
        JSON.stringify({
          type: 'customer_message',
          timestamp: new Date().toISOString(),
          payload: { text },
          id: randomUUID(),
        }),
      );
    };
  }

  /** An open socket on the echo (and bare relay) server. */
  const connectFloor = (path = '') =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${echoPort}${path}`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });

  /** Bare relay pairs on the echo server (see `--echo`), measured like the sessions. */
  const barePairs = [];
  async function addBarePairs(n) {
    while (barePairs.length < n) {
      const i = barePairs.length;
      const engineer = await connectFloor(`/pair/${i}/engineer`);
      engineer.on('message', (data) => onEngineerFrame(JSON.parse(String(data))));
      barePairs.push({ engineer, customer: await connectFloor(`/pair/${i}/customer`) });
    }
  }

  /** Raw echo: client → bare ws server → same client, with the same frame. */
  async function echoSockets(n) {
    return Promise.all(
      Array.from({ length: n }, async () => {
        const ws = await connectFloor();
        const waits = new Map();
        ws.on('message', (data) => {
          const id = JSON.parse(String(data)).id;
          waits.get(id)?.(performance.now());
          waits.delete(id);
        });
        return { ws, waits };
      }),
    );
  }
  function echoSender(sockets) {
    return (i, k, done) => {
      const { ws, waits } = sockets[i];
      const id = randomUUID();
      const t0 = performance.now();
      waits.set(id, (t) => done(t - t0));
      ws.send(
        JSON.stringify({
          type: 'customer_message',
          timestamp: new Date().toISOString(),
          payload: { text: `bench ${i} ${k} ${id}` },
          id,
        }),
      );
    };
  }

  /**
   * Sessions 0..n-1 relaying `pattern`, then as many bare relay pairs, then the raw echo with
   * the same pattern, `rounds` times in turn; the samples of all rounds are pooled. Alternating
   * keeps a slow drift of the machine from landing on one side only, and pooling steadies the
   * tail.
   */
  async function compare(n, pattern, rounds = 1) {
    const settle = () => new Promise((r) => setTimeout(r, 1000));
    const relay = [];
    const raw = [];
    const relayTrace = [];
    /** When the measured relay rounds ran (wall clock), to tell their stalls from the rest. */
    const relayWindows = [];
    // The server's main thread while it relays: busy time per message is a steadier measure of
    // the relay's cost than a tail percentile.
    // …and how often the kernel preempted the server (any of its threads: the process's count)
    // while it relayed — three processes share two cores, on a VM.
    const busy = { activeMs: 0, totalMs: 0, preempted: 0 };
    const steal = { relay: stealMeter(), echo: stealMeter() };
    const bare = [];
    const sockets = await echoSockets(n);
    await addBarePairs(n);
    for (let round = 0; round < rounds; round++) {
      await load(n, { burst: 2 }, relaySender(sessions)); // warm-up, then let the backlog drain
      await settle();
      const { elu: before, preempted: preemptedBefore } = await server.ask('elu');
      const startedAt = performance.timeOrigin + performance.now();
      steal.relay.start();
      relay.push(...(await load(n, pattern, relaySender(sessions), relayTrace)));
      steal.relay.stop();
      relayWindows.push([startedAt, performance.timeOrigin + performance.now()]);
      const { elu: used, preempted } = await server.ask('elu');
      busy.preempted += preempted - preemptedBefore;
      busy.activeMs += used.active - before.active;
      busy.totalMs += used.active + used.idle - before.active - before.idle;
      await load(n, { burst: 2 }, relaySender(barePairs));
      await settle();
      bare.push(...(await load(n, pattern, relaySender(barePairs))));
      await load(n, { burst: 2 }, echoSender(sockets));
      await settle();
      steal.echo.start();
      raw.push(...(await load(n, pattern, echoSender(sockets))));
      steal.echo.stop();
    }
    for (const { ws } of sockets) ws.terminate();
    return { relay: stats(relay), bare: stats(bare), raw: stats(raw), relayTrace, relayWindows, busy, steal };
  }

  const f1 = (x) => x.toFixed(1);
  const f2 = (x) => x.toFixed(2);
  const rows = [];
  /** Where the relay's paced tail at the largest level comes from (see tailAttribution.mjs). */
  let tail;
  for (const level of LEVELS) {
    const n = level.sessions;
    await addSessions(n);
    for (const [name, pattern] of [
      ['paced', { paced: level.paced }],
      ['burst', { burst: level.burst }],
    ]) {
      const { relay, bare, raw, relayTrace, relayWindows, busy, steal } = await compare(
        n,
        pattern,
        name === 'paced' ? (level.rounds ?? 1) : 1,
      );
      if (name === 'paced' && level === LEVELS.at(-1)) {
        const { pauses } = await server.ask('pauses');
        // The target allows 1 % of messages beyond 3× the echo's p99; how many are.
        const over = relayTrace.filter(([, ms]) => ms > 3 * raw.p99).length / relayTrace.length;
        // Pauses and stalls that began while the measured relay rounds ran.
        const during = (list) =>
          list.filter(([start]) => relayWindows.some(([from, to]) => start >= from && start <= to));
        // Pauses or stalls as count, median and longest.
        const summary = (list) => {
          const ms = list.map(([, d]) => d).sort((a, b) => a - b);
          return { count: ms.length, medianMs: ms.length ? percentile(ms, 50) : 0, maxMs: ms.at(-1) ?? 0 };
        };
        // The statements that held the event loop, by verb.
        const stalls = during(pauses.db);
        const verbs = new Map();
        for (const [, , verb] of stalls) verbs.set(verb, (verbs.get(verb) ?? 0) + 1);
        tail = {
          n,
          over,
          stalls: summary(stalls),
          relaySeconds: relayWindows.reduce((sum, [from, to]) => sum + (to - from) / 1000, 0),
          stallVerbs: [...verbs].sort((a, b) => b[1] - a[1]),
          serverGcPauses: summary(during(pauses.gc)),
          clientGcPauses: summary(during(clientGc)),
          ...attributeTail(relayTrace, { serverGc: pauses.gc, clientGc, serverDb: pauses.db }),
          busyUsPerMessage: (busy.activeMs * 1000) / relay.n,
          utilization: busy.activeMs / busy.totalMs,
          preemptedPerSecond: busy.preempted / (busy.totalMs / 1000),
          steal: { relay: steal.relay.share, echo: steal.echo.share },
        };
      }
      const label =
        name === 'paced'
          ? `paced, 1 msg / ${level.paced.everyMs >= 1000 ? `${level.paced.everyMs / 1000} s` : `${level.paced.everyMs} ms`} per session`
          : 'burst (closed loop)';
      rows.push({ n, label, relay, bare, raw });
      console.error(
        `  ${n} sessions ${name}: relay p50 ${f2(relay.p50)} p99 ${f2(relay.p99)} ms; bare relay p50 ${f2(bare.p50)} p99 ${f2(bare.p99)} ms; echo p50 ${f2(raw.p50)} p99 ${f2(raw.p99)} ms`,
      );
    }
  }

  // Memory: open 1,000 more live connections (hello done, then silent) on existing sessions.
  const IDLE = 1000;
  const before = await settledMem(server);
  const idle = [];
  for (let i = 0; i < IDLE; i++) idle.push(await openLive(sessions[i % sessions.length].taskId, customerToken));
  const after = await settledMem(server);
  const perConnRss = (after.rss - before.rss) / IDLE / 1024;
  const perConnHeap = (after.heapUsed + after.external - before.heapUsed - before.external) / IDLE / 1024;
  for (const ws of idle) ws.terminate();

  // Capacity: keep adding sessions while a probe of 200 sessions still relays with p99 under 1 s.
  let held = sessions.length;
  // Until the capacity loop probes, the paced figure at the largest level stands for the probe.
  let heldProbe = rows.findLast((r) => r.label.startsWith('paced'))?.relay ?? rows.at(-1).relay;
  let stopReason = `stopped at the configured maximum (${maxSessions})`;
  for (let target = 2000; target <= maxSessions; target += 1000) {
    try {
      await addSessions(target);
    } catch (err) {
      stopReason = `adding sessions failed beyond ${sessions.length}: ${err.message}`;
      break;
    }
    const probe = stats(await load(200, { paced: { everyMs: 1000, count: 3 } }, relaySender(sessions.slice(-200))));
    console.error(`  ${sessions.length} sessions held: probe p50 ${f2(probe.p50)} p99 ${f2(probe.p99)} ms`);
    if (probe.p99 > 1000) {
      stopReason = `probe p99 over 1 s at ${sessions.length} sessions`;
      break;
    }
    held = sessions.length;
    heldProbe = probe;
  }
  const serverMem = await memOf(server);

  const out = [];
  out.push('## Live relay (bench/relay.bench.mjs)');
  out.push('');
  out.push(
    `${availableParallelism()} CPU cores, Node ${process.version}, ${dialect === 'postgres' ? 'PostgreSQL' : 'embedded SQLite'}; server, echo server and clients in three processes on one machine. ` +
      'Each session is a claimed task with the customer and the engineer connected; every sample is one `customer_message` ' +
      'from the customer’s socket until it reaches the engineer’s (persisted with its seq, hash-chained, acked). ' +
      'The raw echo is a bare `ws` server returning each frame to its sender, measured in the same run with the same frame and load. ' +
      'The bare relay is that server forwarding each frame to the paired socket and then returning it to the sender with an ack (the relay’s fan-out, without validation, database or hash): what the topology alone costs. ' +
      '*Paced*: every session sends on its own schedule (open loop). *Burst*: every session sends its next message as soon as the last arrived, so the server is saturated and the figure is its throughput ceiling. ' +
      'Where a level runs several rounds, relay, bare relay and echo take turns and the samples of all rounds are pooled.',
  );
  out.push('');
  out.push(
    '| live sessions | load | samples | relay p50 | relay p99 | bare relay p50 | bare relay p99 | raw ws echo p50 | raw ws echo p99 | p99 relay / echo | p99 bare relay / echo |',
  );
  out.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const cells = [
      r.n,
      r.label,
      r.relay.n,
      `${f2(r.relay.p50)} ms`,
      `${f2(r.relay.p99)} ms`,
      `${f2(r.bare.p50)} ms`,
      `${f2(r.bare.p99)} ms`,
      `${f2(r.raw.p50)} ms`,
      `${f2(r.raw.p99)} ms`,
      `${f1(r.relay.p99 / r.raw.p99)}×`,
      `${f1(r.bare.p99 / r.raw.p99)}×`,
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  out.push('');
  if (tail) {
    const pct = (x) => `${Math.round(x * 100)} %`;
    out.push(
      `- Server cost of the relay at ${tail.n} sessions, paced: its main thread was busy **${Math.round(tail.busyUsPerMessage)} µs per relayed message** (event-loop utilisation ${pct(tail.utilization)}; the kernel preempted the server process ${Math.round(tail.preemptedPerSecond)} times a second), everything included: reading, validation, the transaction and its commit, hashing, fan-out and ack.`,
    );
    out.push(
      `- The relay's paced tail at ${tail.n} sessions: ${(tail.over * 100).toFixed(1)} % of messages took longer than 3× the echo's p99 (the target allows 1 %). Of the slowest 1 % (${tail.slowest} samples), ${pct(tail.shares.serverGc)} overlap a garbage-collection pause of the server, ${pct(tail.shares.clientGc)} one of this benchmark's client process, ${pct(tail.shares.serverDb)} a database statement that held the server's event loop for 1 ms or more (the next line says which); ${pct(tail.any)} any of these (a sample counts when it was in flight during the pause or up to 1 ms after). Without the samples near any of them, relay p99 is ${f2(tail.p99WithoutPauses)} ms.`,
    );
    out.push(
      `- Database statements that held the server's event loop for 1 ms or more during those ${Math.round(tail.relaySeconds)} s of paced relaying: ${tail.stalls.count}${tail.stalls.count > 0 ? ` (${tail.stallVerbs.map(([verb, count]) => `${count} ${verb}`).join(', ')}; the longest ${f1(tail.stalls.maxMs)} ms)` : ''}.`,
    );
    if (tail.steal.relay !== null) {
      const stolen = (share) => `${(share * 100).toFixed(1)} %`;
      out.push(
        `- CPU time the hypervisor gave to other guests during those rounds (steal, /proc/stat): ${stolen(tail.steal.relay)} of the machine's while the relay ran, ${stolen(tail.steal.echo)} while the echo ran. A run with more than a few percent measures the neighbours as much as the relay.`,
      );
    }
    out.push(
      clientsYield
        ? "- This benchmark's client process ran under Linux's SCHED_BATCH policy: its wake-ups (a frame arrived) did not preempt the servers' running threads, as clients on other machines would not; the kernel's preemptions of the server are the count in the first line."
        : "- This benchmark's client process could not be put under SCHED_BATCH (not Linux, or no chrt): its wake-ups preempted the servers mid-message, which inflates the relay's tail more than the echo's.",
    );
    out.push(
      `- The machine's speed before the run: a fixed CPU workload (lib/machine.mjs) took ${f1(calibrationMs)} ms. Busy time per message scales with it; compare runs of different days by both.`,
    );
    const gcLine = ({ count, medianMs, maxMs }) => `${count} (median ${f1(medianMs)} ms, the longest ${f1(maxMs)} ms)`;
    out.push(
      `- GC pauses in the same ${Math.round(tail.relaySeconds)} s: the server ${gcLine(tail.serverGcPauses)}; this benchmark's client process ${gcLine(tail.clientGcPauses)}.`,
    );
  }
  out.push(
    // RSS also moves as the allocator hands back what the load before it freed, and can then
    // fall while sockets are added: the heap figure is the one that counts per connection.
    `- Server memory per idle live connection (${IDLE} extra sockets after hello): **${f1(perConnHeap)} KB JS heap + external**, ${perConnRss > 0 ? `${f1(perConnRss)} KB RSS` : `RSS within noise (${f1(perConnRss)} KB)`}.`,
  );
  out.push(
    `- Sessions held by one instance: **${held}** (${held * 2} live sockets) with a paced 200-session probe at p50 ${f2(heldProbe.p50)} ms / p99 ${f2(heldProbe.p99)} ms; ${stopReason}. Server RSS then: ${f1(serverMem.rss / 1024 / 1024)} MB.`,
  );
  console.log(out.join('\n'));

  for (const s of sessions) {
    s.customer.terminate();
    s.engineer.terminate();
  }
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.send({ cmd: 'exit' });
  await exited;
  echo.child.kill();
  process.exit(0);
}
