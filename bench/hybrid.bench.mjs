#!/usr/bin/env node
// Hybrid mode: the time from pressing Enter on `codevf fix --mode hybrid "…"` to the AI's first
// words on the customer's screen, minus the model's own response time — CodeVF's overhead. The
// real CLI runs in a pseudo-terminal (its start-up counts: it is part of what the customer
// waits for); the server runs here with its AI driver; the model is the scripted
// OpenAI-compatible server of the tests, which answers at once, and whose time from receiving
// the request to the end of its streamed answer is subtracted. Target: overhead < 250 ms p50.
//   node --import tsx bench/hybrid.bench.mjs [runs]      (npm run bench -- hybrid)
//   node --import tsx bench/hybrid.bench.mjs 30 old/codevf.js packages/cli/dist/codevf.js
// With CLI entry files after the run count, sessions alternate between those builds and each
// gets its own table: on a shared machine, builds compared side by side see the same load.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTempHome, loginRecord, spawnCliPty, writeAuthFile } from '../e2e/harness/cli.ts';
import { aiSettings } from '../packages/server/test/support/aiSettings.ts';
import { startScriptedModel } from '../packages/server/test/support/scriptedModel.ts';
import { startBenchServer } from './lib/benchServer.mjs';
import { cpuCalibrationMs } from './lib/machine.mjs';
import { percentile } from './lib/stats.mjs';

const runs = Number(process.argv[2] ?? 30);
const builds = process.argv.length > 3 ? process.argv.slice(3).map((p) => resolve(p)) : [undefined];
const warmup = 3;
const TARGET_P50_MS = 250;

const model = await startScriptedModel();
const server = await startBenchServer({
  dataDirPrefix: 'codevf-bench-hybrid-',
  config: { ai: aiSettings({ baseUrl: model.baseUrl, driver: true, vendor: 'other', timeoutSeconds: 30 }) },
});
const { home, cleanup } = createTempHome('codevf-bench-hybrid-home-');
const c = server.customerTokens;
writeAuthFile(
  home,
  loginRecord(server.baseUrl, server.customer, {
    accessToken: c.access_token,
    refreshToken: c.refresh_token,
    expiresIn: c.expires_in,
  }),
);
const wall = () => performance.timeOrigin + performance.now();
const api = (method, path, body) =>
  fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${c.access_token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

// A registered project that allows the AI's vendor, as `codevf init` leaves it.
const project = mkdtempSync(join(tmpdir(), 'codevf-bench-hybrid-project-'));
const registered = await (
  await api('POST', '/v1/projects', { name: 'bench', type: 'node', testCommand: 'npm test', allowedTools: ['other'] })
).json();
mkdirSync(join(project, '.codevf'));
writeFileSync(
  join(project, '.codevf', 'config.json'),
  JSON.stringify({
    version: '1',
    projectId: registered.id,
    allowedTools: ['other'],
    testCommand: 'npm test',
    buildCommand: '',
    repoUploaded: false,
    branchMode: 'codevf',
    createdAt: new Date().toISOString(),
  }),
);

/** One session: Enter → greeting on screen; the model's own time comes from the scripted server. */
async function once(i, cliPath) {
  const word = `GREETING${i}X`;
  let modelStart = 0;
  let modelEnd = 0;
  // The scripted model answers at once: its own time is from the request's arrival to its answer
  // being handed to the HTTP response (its streaming over loopback counts as our overhead).
  model.respond(() => {
    modelStart = wall();
    const turn = { text: `${word} I am looking at it.` };
    modelEnd = wall();
    return turn;
  });
  const t0 = wall();
  const cli = await spawnCliPty(['fix', '--mode', 'hybrid', `bench session ${i}`], {
    home,
    cwd: project,
    cols: 120,
    rows: 40,
    env: { CODEVF_API_URL: server.baseUrl },
    cliPath,
  });
  await cli.waitFor(word, 30_000);
  const t1 = wall();
  cli.kill('SIGKILL');
  await cli.exit;
  const tasks = await (await api('GET', '/v1/tasks?status=active')).json();
  for (const t of tasks.tasks ?? tasks) await api('POST', `/v1/tasks/${t.id}/end`, {});
  return { total: t1 - t0, toModel: modelStart - t0, model: modelEnd - modelStart, afterModel: t1 - modelEnd };
}

const resultsOf = builds.map(() => []);
for (let i = 0; i < warmup + runs; i++) {
  for (const [b, cliPath] of builds.entries()) {
    const r = await once(i * builds.length + b, cliPath);
    if (i >= warmup) resultsOf[b].push(r);
  }
}

for (const [b, cliPath] of builds.entries()) {
  const results = resultsOf[b];
  const col = (k) => results.map((r) => r[k]).sort((a, b) => a - b);
  const overhead = results.map((r) => r.total - r.model).sort((a, b) => a - b);
  const fmt = (v) => v.toFixed(0);
  const p50 = percentile(overhead, 50);
  console.log(`\n## Hybrid mode: Enter to the AI's first words (${runs} sessions${cliPath ? `, ${cliPath}` : ''})\n`);
  console.log(
    `${cpus().length} cores, Node ${process.version}, CPU calibration ${cpuCalibrationMs().toFixed(1)} ms (bench/lib/machine.mjs).`,
  );
  console.log('\n| ms | p50 | p99 |\n|---|---:|---:|');
  console.log(`| **overhead (total − model)** | **${fmt(p50)}** | **${fmt(percentile(overhead, 99))}** |`);
  for (const [k, label] of [
    ['total', 'Enter → first words on screen'],
    ['toModel', 'Enter → the model receives the request (CLI start, task, AI joins)'],
    ['afterModel', "model's answer → on screen (driver, relay, terminal)"],
    ['model', "the model's own time (scripted: instant)"],
  ]) {
    const s = col(k);
    console.log(`| ${label} | ${fmt(percentile(s, 50))} | ${fmt(percentile(s, 99))} |`);
  }
  console.log(`\nTarget: overhead < ${TARGET_P50_MS} ms p50 — ${p50 < TARGET_P50_MS ? 'met' : 'NOT met'}.`);
}

await server.close();
await model.close();
cleanup();
rmSync(project, { recursive: true, force: true });
process.exit(0);
