#!/usr/bin/env node
// The untrusted-text renderer (packages/protocol/src/shared/untrustedText.ts): every string a
// remote party controls goes through it before a terminal or a page shows it, including the
// whole output of an approved command as the customer's screen and the engineer's console show
// it. Throughput in MB/s of `untrustedSegments` (keepNewlines, as output is shown) on three
// kinds of text, a megabyte each: plain log lines, coloured test-runner output (ANSI sequences,
// CR, a bidi override now and then), and the worst case (every character a control).
//   npm run bench -- untrusted          (or: node --import tsx bench/untrusted.bench.mjs [MB])
import { untrustedSegments } from '../packages/protocol/src/shared/untrustedText.ts';
import { cpuCalibrationMs } from './lib/machine.mjs';
import { percentile } from './lib/stats.mjs';

const megabytes = Number(process.argv[2] ?? 1);
const runs = 15;
const fill = (line) => line.repeat(Math.ceil((megabytes * 1_000_000) / line.length));
const inputs = [
  ['plain log lines', fill('2026-12-03T20:01:02Z INFO GET /api/orders/42 200 12ms user=ann region=eu-west-1\n')],
  [
    'coloured test output',
    fill(
      ' \x1b[32m✓\x1b[39m src/cart.test.ts \x1b[2m(12 tests)\x1b[22m 41ms\r\n\x1b[31m×\x1b[39m checkout \u202e\u200b fails\n',
    ),
  ],
  ['every character a control', fill('\x1b\x07\r\b\u202e\u200b\u0000\u009b')],
];

const rows = [];
for (const [name, text] of inputs) {
  untrustedSegments(text, { keepNewlines: true }); // warm-up: compile, grow the heap once
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    untrustedSegments(text, { keepNewlines: true });
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const mb = text.length / 1_000_000;
  rows.push([name, mb, percentile(ms, 50), percentile(ms, 100)]);
}

console.log(`\n## Untrusted-text renderer (bench/untrusted.bench.mjs)\n`);
console.log(
  `Node ${process.version}, CPU calibration ${cpuCalibrationMs().toFixed(1)} ms (bench/lib/machine.mjs); ${runs} runs each after a warm-up.\n`,
);
console.log('| text | size | time p50 | slowest | throughput p50 |\n|---|---:|---:|---:|---:|');
for (const [name, mb, p50, max] of rows) {
  console.log(
    `| ${name} | ${mb.toFixed(1)} M chars | ${p50.toFixed(1)} ms | ${max.toFixed(1)} ms | ${(mb / (p50 / 1000)).toFixed(1)} M chars/s |`,
  );
}
