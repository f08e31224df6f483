#!/usr/bin/env node
// Snapshot of a working tree (codevf init --upload): scan with gitignore rules + stream a
// tar.gz to a file, against `git archive --format=tar.gz HEAD` on the same generated tree, in
// the same run. Throughput and peak memory (max RSS) at two tree sizes, to show memory stays
// flat as the tree grows. Target (issue 6): at least half git archive's speed.
//   node --import tsx bench/snapshot.bench.mjs [smallMB] [largeMB] [runs]   (npm run bench -- snapshot)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const MB = 1024 * 1024;

// ---- child: one measured snapshot run, in its own process so max RSS is its own ----------
if (process.argv[2] === '--child') {
  const [, , , root, out] = process.argv;
  const { scanSnapshot } = await import('../packages/cli/src/project/scanSnapshot.ts');
  const { writeSnapshotArchive } = await import('../packages/cli/src/project/packSnapshot.ts');
  const t0 = performance.now();
  const plan = await scanSnapshot(root, { maxTotalBytes: 4096 * MB });
  const archive = await writeSnapshotArchive(plan, out);
  const ms = performance.now() - t0;
  process.stdout.write(
    JSON.stringify({ ms, files: plan.entries.length, content: plan.totalBytes, bytes: archive.bytes }),
  );
  process.exit(0);
}

const smallMB = Number(process.argv[2] ?? 50);
const largeMB = Number(process.argv[3] ?? 200);
const runs = Number(process.argv[4] ?? 3);

// ---- a deterministic, source-like tree -------------------------------------------------
let seed = 42;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const WORDS = (
  'const let function return import export from if else for while await async class new this ' +
  'user request response error value result config handler server client session token data ' +
  'items length push map filter reduce string number boolean true false null undefined ' +
  'project snapshot engineer customer approve command file path stream buffer options'
).split(' ');
function sourceText(bytes) {
  const lines = [];
  let size = 0;
  while (size < bytes) {
    const indent = '  '.repeat(Math.floor(rand() * 4));
    const n = 3 + Math.floor(rand() * 9);
    const words = [];
    for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rand() * WORDS.length)]);
    const line = `${indent}${words.join(rand() < 0.3 ? '.' : ' ')}${rand() < 0.5 ? ';' : ' {'}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n').slice(0, bytes);
}
function fixtureText(bytes) {
  // Less compressible content (ids, hashes) as test fixtures and lockfiles hold.
  const buf = Buffer.alloc(Math.ceil((bytes * 3) / 4));
  for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rand() * 256);
  return buf.toString('base64').slice(0, bytes);
}

/** Adds files under `root` until it holds `targetMB` more megabytes; returns the file count. */
function grow(root, targetMB, tag) {
  let written = 0;
  let files = 0;
  while (written < targetMB * MB) {
    const dir = join(root, 'src', `${tag}${Math.floor(files / 200)}`, `mod${Math.floor(files / 20) % 10}`);
    mkdirSync(dir, { recursive: true });
    const size = 2048 + Math.floor(rand() * rand() * 120 * 1024);
    const fixture = rand() < 0.1;
    writeFileSync(join(dir, `f${files}.${fixture ? 'json' : 'ts'}`), fixture ? fixtureText(size) : sourceText(size));
    written += size;
    files++;
  }
  return files;
}

function git(cwd, ...args) {
  const r = spawnSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed`);
}

/** Runs a command under /usr/bin/time; returns wall ms, max RSS (MB) and stdout. */
function measured(cmd, args, cwd) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * MB });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const rssKB = Number(r.stderr.trim().split('\n').at(-1));
  return { wall, rssMB: rssKB / 1024, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const work = mkdtempSync(join(tmpdir(), 'codevf-bench-snap-'));
const root = join(work, 'tree');
mkdirSync(root);
const results = [];
try {
  writeFileSync(join(root, '.gitignore'), 'node_modules/\n*.log\n');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench', scripts: { test: 'x' } }));
  mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'dep', 'index.js'), sourceText(1 * MB));
  git(root, 'init', '-q');

  let totalMB = 0;
  for (const [i, sizeMB] of [smallMB, largeMB].entries()) {
    console.error(`generating ${sizeMB - totalMB} MB more (tree: ${sizeMB} MB)…`);
    grow(root, sizeMB - totalMB, `p${i}`);
    totalMB = sizeMB;
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', `size ${sizeMB}`);

    const ours = [];
    const theirs = [];
    let info;
    for (let r = 0; r < runs; r++) {
      const out = join(work, 'ours.tgz');
      const m = measured(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', root, out],
        here,
      );
      info = JSON.parse(m.stdout);
      ours.push({ ms: info.ms, rssMB: m.rssMB });
      const gout = join(work, 'git.tgz');
      const g = measured('git', ['archive', '--format=tar.gz', '-o', gout, 'HEAD'], root);
      theirs.push({ ms: g.wall, rssMB: g.rssMB, bytes: statSync(gout).size });
      rmSync(out, { force: true });
      rmSync(gout, { force: true });
    }
    const content = info.content;
    const oursMs = median(ours.map((o) => o.ms));
    const gitMs = median(theirs.map((o) => o.ms));
    results.push({
      sizeMB,
      files: info.files,
      contentMB: content / MB,
      ours: {
        ms: oursMs,
        mbps: content / MB / (oursMs / 1000),
        rssMB: Math.max(...ours.map((o) => o.rssMB)),
        archiveMB: info.bytes / MB,
      },
      git: {
        ms: gitMs,
        mbps: content / MB / (gitMs / 1000),
        rssMB: Math.max(...theirs.map((o) => o.rssMB)),
        archiveMB: theirs[0].bytes / MB,
      },
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const f1 = (n) => n.toFixed(1);
const lines = [
  '## Snapshot (`codevf init --upload` archive)',
  '',
  `Generated source-like tree (90% code-like text, 10% base64 fixtures; ignored node_modules), median of ${runs} runs. ` +
    '"codevf" is scan (gitignore rules, sensitive/binary checks) + streamed tar.gz to a file, timed inside its process ' +
    '(Node start-up excluded); max RSS of the whole process. `git archive --format=tar.gz HEAD` on the same tree, committed.',
  '',
  '| tree | files | tool | time | throughput | archive | peak memory (max RSS) |',
  '|---|---|---|---|---|---|---|',
];
for (const r of results) {
  lines.push(
    `| ${f1(r.contentMB)} MB | ${r.files} | codevf | ${(r.ours.ms / 1000).toFixed(2)} s | ${f1(r.ours.mbps)} MB/s | ${f1(r.ours.archiveMB)} MB | ${f1(r.ours.rssMB)} MB |`,
    `| | | git archive | ${(r.git.ms / 1000).toFixed(2)} s | ${f1(r.git.mbps)} MB/s | ${f1(r.git.archiveMB)} MB | ${f1(r.git.rssMB)} MB |`,
  );
}
const large = results.at(-1);
const small = results[0];
const ratio = large.ours.mbps / large.git.mbps;
lines.push(
  '',
  `Speed vs git archive at ${f1(large.contentMB)} MB: ${ratio.toFixed(2)}× (target ≥ 0.5×: ${ratio >= 0.5 ? 'met' : 'NOT met'}). ` +
    `Peak memory ${f1(small.ours.rssMB)} MB at ${f1(small.contentMB)} MB of files → ${f1(large.ours.rssMB)} MB at ${f1(large.contentMB)} MB ` +
    `(${((large.ours.rssMB / small.ours.rssMB - 1) * 100).toFixed(0)}% for ${(large.contentMB / small.contentMB).toFixed(1)}× the data).`,
);
console.log(lines.join('\n'));
