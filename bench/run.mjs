#!/usr/bin/env node
// Runs every benchmark in this folder (files named *.bench.mjs), one after another, so their
// numbers do not disturb each other. Each prints its own Markdown section; BENCHMARKS.md holds
// the figures recorded from a run on the 2-core reference machine.
//   npm run bench              all benchmarks
//   npm run bench -- cli relay only those whose file name contains one of the words
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(' ')}`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  console.error(`\n▶ ${f}`);
  // tsx lets a benchmark import the TypeScript sources it measures without a build step.
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
