#!/usr/bin/env node
// Start-up cost of the CLI: `codevf --version` and `codevf whoami --json` (logged out, and
// logged in against an address where nothing listens, so the server check fails at once
// instead of waiting on a timeout) against bare `node -e 0`. Target: ≤ 1.5× bare node.
//   node bench/cli.bench.mjs [runs]      (npm run bench -- cli)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli/dist/codevf.js');
const runs = Number(process.argv[2] ?? 30);
const warmup = 5;
const TARGET = 1.5;

if (!existsSync(cli)) {
  console.error('building the CLI first…');
  const b = spawnSync('npm', ['run', 'build', '-w', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}

// A port that was free a moment ago: connecting is refused immediately.
const probe = createServer();
await new Promise((r) => probe.listen(0, '127.0.0.1', r));
const deadPort = probe.address().port;
await new Promise((r) => probe.close(r));
const deadUrl = `http://127.0.0.1:${deadPort}`;

const homeOut = mkdtempSync(join(tmpdir(), 'codevf-bench-out-'));
const homeIn = mkdtempSync(join(tmpdir(), 'codevf-bench-in-'));
const authFile = join(homeIn, '.config', 'codevf', 'auth.json');
mkdirSync(dirname(authFile), { recursive: true, mode: 0o700 });
// Well-formed but fake; expiry far ahead so no refresh is attempted.
writeFileSync(
  authFile,
  JSON.stringify({
    accessToken: `cvf_at_${'x'.repeat(43)}`,
    refreshToken: `cvf_rt_${'y'.repeat(43)}`,
    expiresAt: new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString(),
    userId: 'bench-user',
    baseUrl: deadUrl,
    user: { id: 'bench-user', email: 'bench@example.test', name: 'Bench', role: 'customer' },
  }),
  { mode: 0o600 },
);

const baseEnv = { ...process.env };
for (const k of Object.keys(baseEnv)) if (k.startsWith('CODEVF_') || k === 'NODE_OPTIONS') delete baseEnv[k];
const envFor = (home) => ({ ...baseEnv, HOME: home, XDG_CONFIG_HOME: join(home, '.config') });

const cases = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'], env: envFor(homeOut) },
  { name: 'codevf --version', args: [cli, '--version'], env: envFor(homeOut), expect: /^\d+\.\d+\.\d+/ },
  {
    name: 'codevf whoami --json (logged out)',
    args: [cli, 'whoami', '--json'],
    env: envFor(homeOut),
    expect: /"loggedIn":false/,
  },
  {
    name: 'codevf whoami --json (logged in, server unreachable)',
    args: [cli, 'whoami', '--json'],
    env: envFor(homeIn),
    expect: /"serverReachable":false/,
  },
];

function once(c) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, c.args, { env: c.env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 || (c.expect && !c.expect.test(r.stdout))) {
    throw new Error(`${c.name}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return ms;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const p50 = s[Math.floor(s.length / 2)];
  return { mean, p50, min: s[0] };
};

// Round-robin, so drift in machine load hits every case alike.
const samples = cases.map(() => []);
for (let i = 0; i < warmup; i++) for (const c of cases) once(c);
for (let i = 0; i < runs; i++) {
  for (const [j, c] of cases.entries()) samples[j].push(once(c));
}

rmSync(homeOut, { recursive: true, force: true });
rmSync(homeIn, { recursive: true, force: true });

const base = stats(samples[0]);
const fmt = (n) => n.toFixed(1);
const lines = [
  `### CLI start-up (${runs} runs each after ${warmup} warm-up, Node ${process.version}, ${process.platform})`,
  '',
  '| command | mean ms | p50 ms | min ms | × bare node (p50) | × bare node (min) |',
  '|---|---:|---:|---:|---:|---:|',
];
let worst = 0;
cases.forEach((c, j) => {
  const s = stats(samples[j]);
  const ratio = s.p50 / base.p50;
  if (j > 0) worst = Math.max(worst, ratio);
  const minRatio = j === 0 ? '1.00' : (s.min / base.min).toFixed(2);
  lines.push(
    `| \`${c.name}\` | ${fmt(s.mean)} | ${fmt(s.p50)} | ${fmt(s.min)} | ${j === 0 ? '1.00' : ratio.toFixed(2)} | ${minRatio} |`,
  );
});
lines.push(
  '',
  `Target ≤ ${TARGET}× bare node (p50): ${worst <= TARGET ? 'met' : 'MISSED'} (worst ${worst.toFixed(2)}×).` +
    ' The min column is the least disturbed by other load on the machine.',
);
console.log(lines.join('\n'));
