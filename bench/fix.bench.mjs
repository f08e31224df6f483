#!/usr/bin/env node
// Live command output: how long an approved command's output takes from the moment the command
// writes it on the customer's machine to its arrival at the engineer's socket, while the
// command streams 10 MB. Three processes: the CodeVF server, the engineer (a raw WebSocket
// client) and this one, which is the customer: the real session controller of `codevf fix`
// (socket client, safety layer with redaction, output sender), minus the terminal UI.
// The command stamps every line with the wall-clock time it wrote it; the engineer notes when
// the chunk holding the line's first byte arrived. Both sides use performance.timeOrigin +
// performance.now(), comparable across processes on one machine.
//   node --import tsx bench/fix.bench.mjs [megabytes]        (npm run bench -- fix)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startBenchServer } from './lib/benchServer.mjs';
import { helloFrame } from './lib/hello.mjs';
import { percentile } from './lib/stats.mjs';

const self = fileURLToPath(import.meta.url);
const wallNow = () => performance.timeOrigin + performance.now();

// ---- child: the CodeVF server ------------------------------------------------------------
if (process.argv[2] === '--serve') {
  const server = await startBenchServer({ dataDirPrefix: 'codevf-bench-fix-' });
  process.on('message', async (m) => {
    if (m.cmd !== 'exit') return;
    await server.close();
    process.exit(0);
  });
  const { customer, customerTokens: c } = server;
  process.send({
    ready: {
      baseUrl: server.baseUrl,
      customer: {
        id: customer.id,
        email: customer.email,
        name: customer.name,
        accessToken: c.access_token,
        refreshToken: c.refresh_token,
        expiresIn: c.expires_in,
      },
      engineerToken: server.engineerTokens.access_token,
    },
  });
}

// ---- child: the engineer -------------------------------------------------------------------
else if (process.argv[2] === '--engineer') {
  const { baseUrl, token, taskId, commands } = JSON.parse(process.argv[3]);
  const claim = await fetch(`${baseUrl}/v1/tasks/${taskId}/claim`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  if (!claim.ok) throw new Error(`claim: ${claim.status} ${await claim.text()}`);
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/tasks/${taskId}/ws`, {
    headers: { authorization: `Bearer ${token}` },
    maxPayload: 8 * 1024 * 1024,
  });
  const results = [];
  let current = null;
  const next = () => {
    const command = commands[results.length];
    if (command === undefined) {
      process.send({ done: results });
      ws.close();
      return;
    }
    current = { command, requestId: null, text: '', lineStart: 0, received: 0, latencies: [], firstChunkAt: null };
    ws.send(
      JSON.stringify({
        type: 'request_command',
        timestamp: new Date().toISOString(),
        payload: { command, reason: 'bench' },
        id: `bench-${results.length}`,
      }),
    );
  };
  ws.on('open', () => ws.send(helloFrame()));
  ws.on('message', (data) => {
    const at = wallNow();
    const f = JSON.parse(String(data));
    const c = current;
    if (f.type === 'welcome') next();
    else if (f.type === 'request_command' && c && f.payload.command === c.command) c.requestId = f.payload.requestId;
    else if (f.type === 'command_output' && c && f.payload.requestId === c.requestId) {
      c.firstChunkAt ??= at;
      const from = c.text.length;
      c.text += f.payload.data;
      c.received += Buffer.byteLength(f.payload.data);
      // Every line whose first byte is in this chunk: latency from its stamp to now.
      while (c.lineStart < c.text.length) {
        if (c.lineStart >= from) {
          const stamp = Number(c.text.slice(c.lineStart, c.text.indexOf(' ', c.lineStart)));
          if (Number.isFinite(stamp) && stamp > 0) c.latencies.push(at - stamp);
        }
        const nl = c.text.indexOf('\n', c.lineStart);
        if (nl === -1) break;
        c.lineStart = nl + 1;
      }
      if (c.lineStart > 1 << 20) {
        c.text = c.text.slice(c.lineStart);
        c.lineStart = 0;
      }
    } else if (f.type === 'command_result' && c && f.payload.requestId === c.requestId) {
      results.push({
        latencies: c.latencies,
        received: c.received,
        result: f.payload,
        firstChunkAt: c.firstChunkAt,
        doneAt: at,
      });
      next();
    } else if (f.type === 'error') {
      process.send({ error: f.payload });
    }
  });
}

// ---- parent: the customer -------------------------------------------------------------------
else {
  const megabytes = Number(process.argv[2] ?? 10);
  const totalBytes = megabytes * 1024 * 1024;
  const work = mkdtempSync(join(tmpdir(), 'codevf-bench-fix-project-'));
  const home = mkdtempSync(join(tmpdir(), 'codevf-bench-fix-home-'));

  // The commands: 1 KiB lines, each starting with the time it was written, honouring pipe
  // back-pressure (so a stamp is taken when the line is actually written). "flood" writes
  // `totalBytes` as fast as it can; "paced" writes 100 lines a second for 3 s, the shape of a
  // test run or a build log, to show the latency without a queue.
  const producer = (name, total, everyMs) => {
    const file = join(work, `${name}.cjs`);
    writeFileSync(
      file,
      `const total = ${total};
const filler = 'the quick brown fox jumps over the lazy dog '.repeat(30);
let written = 0;
const line = () => ((performance.timeOrigin + performance.now()).toFixed(3) + ' ' + filler).slice(0, 1023) + '\\n';
function flood() {
  while (written < total) {
    const l = line();
    written += l.length;
    if (!process.stdout.write(l)) return process.stdout.once('drain', flood);
  }
}
function paced() {
  if (written >= total) return;
  const l = line();
  written += l.length;
  process.stdout.write(l);
  setTimeout(paced, ${everyMs});
}
${everyMs ? 'paced' : 'flood'}();
`,
    );
    return `"${process.execPath}" ${name}.cjs`;
  };
  const scenarios = [
    {
      label: `${megabytes} MB as fast as the command can write`,
      command: producer('flood', totalBytes, 0),
      bytes: totalBytes,
    },
    { label: '100 lines/s for 3 s (paced)', command: producer('paced', 300 * 1024, 10), bytes: 300 * 1024 },
  ];

  const startChild = (args) => {
    const child = fork(self, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const first = new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
    });
    return { child, first };
  };

  const server = startChild(['--serve']);
  const { ready } = await server.first;

  const { createAuthStore } = await import('../packages/cli/src/core/authStore.ts');
  const { createApiClient } = await import('../packages/cli/src/core/api.ts');
  const { createLocalWork } = await import('../packages/cli/src/session/createLocalWork.ts');
  const { createLiveSession } = await import('../packages/cli/src/session/liveSession.ts');

  const authStore = createAuthStore(join(home, 'auth.json'));
  await authStore.write({
    accessToken: ready.customer.accessToken,
    refreshToken: ready.customer.refreshToken,
    expiresAt: new Date(Date.now() + ready.customer.expiresIn * 1000).toISOString(),
    userId: ready.customer.id,
    baseUrl: ready.baseUrl,
    user: { id: ready.customer.id, email: ready.customer.email, name: ready.customer.name, role: 'customer' },
  });
  const api = createApiClient({ baseUrl: ready.baseUrl, authStore });
  const local = await createLocalWork({
    projectRoot: work,
    maxOutputBytes: totalBytes * 2, // the default cap (1 MiB) would stop the stream early
    secretsToStrip: [],
    openUrl: async () => false,
  });
  const session = createLiveSession({ api, local, customerName: 'Bench', description: 'bench: stream 10 MB' });
  session.start();
  const taskId = await new Promise((resolve) => {
    const stop = session.store.subscribe(() => {
      const s = session.store.getState();
      if (s.taskId && s.connection.kind === 'connected') {
        stop();
        resolve(s.taskId);
      }
    });
  });

  const commands = scenarios.map((sc) => sc.command);
  const engineer = startChild([
    '--engineer',
    JSON.stringify({ baseUrl: ready.baseUrl, token: ready.engineerToken, taskId, commands }),
  ]);
  // The customer approves each request as soon as it is on screen (the UI would ask first).
  const unsubscribe = session.store.subscribe(() => {
    const p = session.activePrompt();
    if (p?.kind === 'command' && commands.includes(p.command)) session.decideCommand(p.requestId, 'once');
  });
  const answer = await engineer.first;
  unsubscribe();
  if (answer.error) throw new Error(`engineer got an error: ${JSON.stringify(answer.error)}`);

  session.abort();
  await session.done;
  server.child.send({ cmd: 'exit' });
  await new Promise((r) => server.child.once('exit', r));
  rmSync(work, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });

  const ms = (v) => `${v.toFixed(1)} ms`;
  const rows = answer.done.map(({ latencies, received, result, firstChunkAt, doneAt }, i) => {
    const sorted = [...latencies].sort((a, b) => a - b);
    const pct = (p) => percentile(sorted, p);
    const seconds = (doneAt - firstChunkAt) / 1000;
    const sc = scenarios[i];
    if (received !== sc.bytes || result.exitCode !== 0)
      throw new Error(`${sc.label}: got ${received} of ${sc.bytes} bytes, exit ${result.exitCode}`);
    return `| ${sc.label} | ${sorted.length} | ${ms(pct(50))} | ${ms(pct(99))} | ${ms(sorted.at(-1))} | ${ms(latencies[0])} | ${(received / 1024 / 1024 / seconds).toFixed(1)} MB/s |`;
  });
  console.log(`## Live command output (\`codevf fix\`)

An approved command's output on its way from the customer's machine to the engineer: the CLI's
session controller (safety layer with redaction, output sender, socket client) → server (SQLite,
every chunk persisted and hash-chained) → engineer socket. Latency per 1 KiB line: from the
moment the command wrote it to the arrival of the frame holding its first byte at the engineer.
All bytes arrive, in order, exit 0 (checked). ${cpus().length} cores, Node ${process.version}.

| output | lines | p50 | p99 | max | first line | throughput |
|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}
`);
}
