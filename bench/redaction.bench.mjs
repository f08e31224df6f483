#!/usr/bin/env node
// Secret redaction: recall and false-positive rate on the corpus in
// packages/cli/test/safety/fixtures (the same figures corpus.test.ts asserts: recall ≥ 0.99,
// false positives ≤ 1 %), and throughput on ~10 MB of mixed log text, one-shot and through the
// stream redactor in 64 KiB chunks (as command output arrives).
//   npm run bench -- redaction          (or: node --import tsx bench/redaction.bench.mjs [MiB])
import { createRedactor } from '../packages/cli/src/safety/redactor.ts';
import { createStreamRedactor } from '../packages/cli/src/safety/streamRedactor.ts';
import { expand, loadCorpus, readTemplates, scoreCorpus, secretSurvives } from '../packages/cli/test/safety/corpus.ts';
import { seededRandom } from '../packages/cli/test/safety/fakeSecrets.ts';

const targetMiB = Number(process.argv[2] ?? 10);
const runs = 3;

// ---- corpus --------------------------------------------------------------------------------
const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const corpus = loadCorpus(seeds);
const score = scoreCorpus(createRedactor(), corpus);
const missedTemplates = [...new Set(score.missed.map((m) => m.template.split('\n')[0]))];
const fpTemplates = [...new Set(score.falsePositives.map((f) => f.template.split('\n')[0]))];

// ---- mixed log text ------------------------------------------------------------------------
// Ordinary log and code lines (the negative templates plus typical log formats), with a
// positive sample every ~100 lines, as in the output of a real build or test run.
const rnd = seededRandom(42);
const negatives = readTemplates('negatives.txt');
const positives = readTemplates('positives.txt');
const levels = ['INFO', 'DEBUG', 'WARN', 'ERROR'];
const paths = ['/api/users', '/api/orders/42', '/health', '/auth/login', '/static/app.js'];
const lines = [];
const planted = [];
let size = 0;
let n = 0;
while (size < targetMiB * 1024 * 1024) {
  let line;
  const x = rnd();
  if (x < 0.01) {
    const s = expand(positives[Math.floor(rnd() * positives.length)], n);
    planted.push(...s.secrets.map((secret) => ({ secret, template: s.template.split('\n')[0] })));
    line = s.text;
  } else if (x < 0.3) {
    line = expand(negatives[Math.floor(rnd() * negatives.length)], n).text;
  } else {
    const ms = Math.floor(rnd() * 900);
    line = `2024-05-0${1 + (n % 9)}T12:${String(n % 60).padStart(2, '0')}:00.${String(ms).padStart(3, '0')}Z ${levels[n % 4]} [worker-${n % 8}] GET ${paths[n % 5]} 200 ${ms}ms request_id=${Math.floor(rnd() * 1e9).toString(16)} user=${n % 977}`;
  }
  lines.push(line);
  size += line.length + 1;
  n++;
}
const text = `${lines.join('\n')}\n`;
const mb = Buffer.byteLength(text) / 1e6;

const extraValues = Array.from({ length: 20 }, (_, i) => `env-secret-value-${i}-${Math.floor(rnd() * 1e9)}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(fn) {
  const samples = [];
  let result;
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    result = fn();
    samples.push(performance.now() - t0);
  }
  return { ms: median(samples), result };
}

const plain = createRedactor();
const withEnv = createRedactor({ extraValues });
const oneShot = time(() => plain.redact(text));
const oneShotEnv = time(() => withEnv.redact(text));
const streamed = time(() => {
  const sr = createStreamRedactor(plain);
  let out = '';
  let redactions = 0;
  for (let i = 0; i < text.length; i += 64 * 1024) {
    const r = sr.push(text.slice(i, i + 64 * 1024));
    out += r.text;
    redactions += r.redactions;
  }
  const r = sr.flush();
  return { text: out + r.text, redactions: redactions + r.redactions };
});
const leaked = planted.filter((p) => secretSurvives(p.secret, streamed.result.text));
const leakedShapes = [...new Set(leaked.map((p) => p.template))];
const unexpected = leakedShapes.filter((t) => !missedTemplates.includes(t));

const pct = (x) => `${(x * 100).toFixed(2)} %`;
const rate = (ms) => (mb / (ms / 1000)).toFixed(1);
console.log(
  [
    `### Secret redaction (Node ${process.version}, ${process.platform})`,
    '',
    `Corpus (\`packages/cli/test/safety/fixtures\`, ${seeds.length} seeds): ${score.secrets} planted secrets in ${corpus.positives.length} positive samples, ${corpus.negatives.length} negative samples.`,
    '',
    '| measure | value | target |',
    '|---|---:|---:|',
    `| recall (secrets masked) | ${pct(score.recall)} (${score.found}/${score.secrets}) | ≥ 99 % |`,
    `| false positives (negative samples with a mask) | ${pct(score.falsePositiveRate)} (${score.flagged}/${score.negatives}) | ≤ 1 % |`,
    '',
    `Missed shapes: ${missedTemplates.length ? missedTemplates.map((t) => `\`${t.replaceAll('`', "'")}\``).join(', ') : 'none'}.`,
    `False-positive shapes: ${fpTemplates.length ? fpTemplates.map((t) => `\`${t.replaceAll('`', "'")}\``).join(', ') : 'none'}.`,
    '',
    `Throughput on ${mb.toFixed(1)} MB of mixed log text (${lines.length} lines, ${planted.length} planted secrets; median of ${runs} runs):`,
    '',
    '| mode | MB/s | redactions |',
    '|---|---:|---:|',
    `| \`redact()\` one-shot | ${rate(oneShot.ms)} | ${oneShot.result.redactions} |`,
    `| \`redact()\` with 20 \`.env\` values | ${rate(oneShotEnv.ms)} | ${oneShotEnv.result.redactions} |`,
    `| stream redactor, 64 KiB chunks | ${rate(streamed.ms)} | ${streamed.result.redactions} |`,
    '',
    `Stream output identical to one-shot: ${streamed.result.text === oneShot.result.text ? 'yes' : 'NO'}; planted secrets left visible: ${leaked.length} (${unexpected.length ? `shapes not missed in the corpus: ${unexpected.join(', ')}` : 'all of the missed shapes above'}).`,
  ].join('\n'),
);
