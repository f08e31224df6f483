#!/usr/bin/env node
// Reliability guard: many live sessions on two server instances (the shipped build,
// packages/server/dist/main.js) over one PostgreSQL schema and Redis, for a few minutes.
// Customers sit on one instance and engineers on the other (a third of the sessions the other
// way round, a third on one instance), chat at random, and lose their connection at random;
// each reconnects, resumes with the last seq it saw and re-sends what was not acknowledged.
// Part way through one instance is killed with SIGKILL; its clients move to the survivor, and a
// replacement starts a few seconds later. At the end every participant must have seen every
// event of its task exactly once and in order, every message must be stored once, in the order
// its sender sent it, and each task's hash chain must verify. Server RSS is sampled throughout.
// Exits non-zero on any violation.
//   npm run soak [-- --minutes N --sessions N]   (builds the server first)
// PostgreSQL: BENCH_DATABASE_URL (default the local `test` database), in a schema soak_<hex>
// dropped at the end; Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { api } from '../packages/server/test/support/api.ts';
import { startServerProcess } from '../packages/server/test/support/serverProcess.ts';
import { BENCH_DATABASE_URL, startBenchServer } from './lib/benchServer.mjs';
import { ResumingParticipant } from './lib/resumingParticipant.mjs';
import { verifySession } from './lib/verifySession.mjs';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    sessions: { type: 'string', default: '60' },
  },
});
const MINUTES = Number(flags.minutes);
const SESSIONS = Number(flags.sessions);
if (!(MINUTES > 0) || !Number.isInteger(SESSIONS) || SESSIONS < 1) {
  console.error('usage: npm run soak -- [--minutes N] [--sessions N]');
  process.exit(2);
}
const RUN_MS = MINUTES * 60_000;
/** Each participant says something every 1–4 s. */
const SAY_MIN_MS = 1000;
const SAY_SPREAD_MS = 3000;
/** One random participant loses its connection this often. */
const DROP_EVERY_MS = 1000;
const KILL_AT = 0.4;
const RESTART_AFTER_MS = 5000;
const RSS_EVERY_MS = 3000;
const DRAIN_MS = 60_000;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const started = Date.now();
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** Resident set size of a process in KiB, from the kernel's own count. */
function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

// ---- setup: one schema with the accounts, two instances on it --------------------------------
// The in-process bench server creates the schema, a customer and an engineer with long-lived
// tokens; it serves nothing during the run.
const setup = await startBenchServer({ dialect: 'postgres', schemaPrefix: 'soak_', dataDirPrefix: 'codevf-soak-' });
const env = {
  DATABASE_URL: BENCH_DATABASE_URL,
  CODEVF_DATABASE_SCHEMA: setup.pgSchema,
  REDIS_URL,
  // One customer and one engineer hold every session of the soak (see benchServer.mjs).
  CODEVF_MAX_QUEUED_TASKS: '1000000',
  CODEVF_MAX_SOCKETS_PER_USER: '1000000',
};
const customer = { token: setup.customerTokens.access_token };
const engineer = { token: setup.engineerTokens.access_token };

/** The two instance slots; a slot's process changes when it is killed and replaced. */
const slots = [];
const instances = [];
async function startInstance(slot, name) {
  const proc = await startServerProcess(env, { built: true });
  const instance = { name, proc, alive: true, rss: [] };
  instances.push(instance);
  slots[slot] = instance;
  log(`instance ${name} (pid ${proc.child.pid}) listening on ${proc.baseUrl}`);
  return instance;
}
await Promise.all([startInstance(0, 'A'), startInstance(1, 'B')]);

const sampleRss = () => {
  for (const i of instances) if (i.alive) i.rss.push({ t: Date.now() - started, kb: rssKb(i.proc.child.pid) });
};
sampleRss();
const rssTimer = setInterval(sampleRss, RSS_EVERY_MS);

/** Its own instance while that is up, else any that is. */
const urlFor = (slot) => () =>
  (slots[slot].alive ? slots[slot] : (slots.find((s) => s.alive) ?? slots[slot])).proc.baseUrl;

// ---- sessions ------------------------------------------------------------------------------
// Session n: customer on slot 0 and engineer on slot 1; the other way round; or both on one.
const PLACEMENTS = [
  [0, 1],
  [1, 0],
  [0, 0],
  [1, 1],
];
const placement = (n) => (n % 3 < 2 ? PLACEMENTS[n % 3] : PLACEMENTS[2 + (n % 2)]);

const sessions = [];
for (let n = 0; n < SESSIONS; n++) {
  const [cSlot, eSlot] = placement(n);
  const created = await api(slots[cSlot].proc.baseUrl, customer, 'POST', '/v1/tasks', { description: `soak ${n}` });
  if (created.status !== 201) throw new Error(`create task: ${created.status} ${JSON.stringify(created.body)}`);
  const taskId = created.body.id;
  const claimed = await api(slots[eSlot].proc.baseUrl, engineer, 'POST', `/v1/tasks/${taskId}/claim`);
  if (claimed.status !== 200) throw new Error(`claim: ${claimed.status} ${JSON.stringify(claimed.body)}`);
  const side = (role, slot, token) =>
    new ResumingParticipant({ label: `session ${n} ${role}`, role, taskId, token, pickUrl: urlFor(slot) });
  sessions.push({ n, taskId, c: side('customer', cSlot, customer.token), e: side('engineer', eSlot, engineer.token) });
}
const participants = sessions.flatMap((s) => [s.c, s.e]);
for (const p of participants) p.start();
log(`${SESSIONS} sessions, ${participants.length} participants; running ${MINUTES} min`);

// ---- the run: chat, drops, one kill -9 -------------------------------------------------------
let running = true;
let said = 0;
const chatters = participants.map(async (p, i) => {
  let k = 0;
  await sleep(Math.random() * SAY_SPREAD_MS);
  while (running) {
    p.say(`${p.role[0]}${i}-${k++}`);
    said++;
    await sleep(SAY_MIN_MS + Math.random() * SAY_SPREAD_MS);
  }
});
let randomDrops = 0;
const dropTimer = setInterval(() => {
  if (pick(participants).drop()) randomDrops++;
}, DROP_EVERY_MS);

let kills = 0;
const chaos = (async () => {
  await sleep(RUN_MS * KILL_AT);
  const slot = Math.floor(Math.random() * 2);
  const victim = slots[slot];
  victim.alive = false;
  victim.rss.push({ t: Date.now() - started, kb: rssKb(victim.proc.child.pid) });
  await victim.proc.kill();
  kills++;
  log(`kill -9 instance ${victim.name} (pid ${victim.proc.child.pid}); its clients move to the survivor`);
  await sleep(RESTART_AFTER_MS);
  await startInstance(slot, `${victim.name}2`);
})();

const progress = setInterval(() => {
  const acked = participants.reduce((a, p) => a + p.sent.size - p.unacked(), 0);
  const connected = participants.filter((p) => p.welcomed).length;
  log(`said ${said}, acked ${acked}, connected ${connected}/${participants.length}, drops ${randomDrops}`);
}, 15_000);

await sleep(RUN_MS);
running = false;
clearInterval(dropTimer);
await Promise.all([...chatters, chaos]);

// ---- drain: everything acknowledged and seen by both sides ------------------------------------
const drainedBy = Date.now() + DRAIN_MS;
const highestAck = (s) => Math.max(0, ...[...s.c.sent.values(), ...s.e.sent.values()].map((m) => m.seq ?? 0));
const drained = () =>
  sessions.every(
    (s) => s.c.unacked() === 0 && s.e.unacked() === 0 && Math.min(s.c.lastSeq, s.e.lastSeq) >= highestAck(s),
  );
while (!drained() && Date.now() < drainedBy) await sleep(250);
clearInterval(progress);
for (const p of participants) p.stop();
sampleRss();
clearInterval(rssTimer);

// ---- verify against the stored transcripts -------------------------------------------------
const violations = participants.flatMap((p) => p.violations);
if (!drained()) violations.push(`not drained after ${DRAIN_MS / 1000} s: messages unacknowledged or events unseen`);
const survivor = slots.find((s) => s.alive);
let events = 0;
/** A task's whole stored transcript, page by page; a broken verdict on any page stands. */
async function storedTranscript(taskId) {
  const whole = { events: [], chain: { verified: true } };
  for (let after = 0; ; ) {
    const { body } = await api(survivor.proc.baseUrl, customer, 'GET', `/v1/tasks/${taskId}/events?after=${after}`);
    whole.events.push(...body.events);
    if (whole.chain.verified) whole.chain = body.chain;
    if (!body.hasMore) return whole;
    after = body.nextAfter;
  }
}
for (const s of sessions) {
  events += s.c.events.length + s.e.events.length;
  violations.push(...verifySession(`session ${s.n}`, await storedTranscript(s.taskId), [s.c, s.e]));
}

// ---- report --------------------------------------------------------------------------------
const messages = participants.reduce((a, p) => a + p.sent.size, 0);
const reconnects = participants.reduce((a, p) => a + p.connects, 0) - participants.length;
const mb = (kb) => (kb / 1024).toFixed(0);
console.log('\nsoak summary');
console.log(`  run                 ${MINUTES} min, ${SESSIONS} sessions (${participants.length} participants)`);
console.log(`  messages            ${messages} sent; ${events} events delivered`);
console.log(`  disconnects         ${randomDrops} random drops, ${reconnects} reconnects (resumed with lastSeq)`);
console.log(`  kills               ${kills} (kill -9), replacement started ${RESTART_AFTER_MS / 1000} s later`);
console.log(`  violations          ${violations.length}`);
for (const v of violations.slice(0, 20)) console.log(`    ${v}`);
if (violations.length > 20) console.log(`    … and ${violations.length - 20} more`);
console.log(`  server RSS (MiB, sampled every ${RSS_EVERY_MS / 1000} s; trend: one sample every ~30 s)`);
for (const i of [...instances].sort((a, b) => a.name.localeCompare(b.name))) {
  const kbs = i.rss.map((r) => r.kb).filter((kb) => kb !== undefined);
  const end = i.alive ? 'end' : 'at kill';
  const trend = kbs.filter((_, k) => k % Math.round(30_000 / RSS_EVERY_MS) === 0 || k === kbs.length - 1).map(mb);
  console.log(
    `    ${i.name.padEnd(3)} min ${mb(Math.min(...kbs))}  max ${mb(Math.max(...kbs))}  ${end} ${mb(kbs.at(-1))}  (${kbs.length} samples: ${trend.join(' → ')})`,
  );
}

await Promise.all(instances.filter((i) => i.alive).map((i) => i.proc.stop()));
await setup.close();
process.exit(violations.length > 0 ? 1 : 0);
