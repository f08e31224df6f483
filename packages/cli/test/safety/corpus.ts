import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redactor } from '../../src/safety/redactor';
import { ALL_GENERATORS, SECRET_GENERATORS, seededRandom } from './fakeSecrets';

/**
 * The redaction corpus (fixtures/positives.txt, fixtures/negatives.txt) expanded with fake
 * values, and the two figures measured on it. Shared by corpus.test.ts and
 * bench/redaction.bench.mjs so both report the same thing.
 *
 * - recall: planted secrets that no longer appear in the output / planted secrets. A
 *   multi-line secret (a PEM block) counts as found only if none of its lines survives.
 * - false-positive rate: negative samples with anything masked / negative samples.
 */

export interface Sample {
  /** Template as written in the fixture, for failure messages. */
  template: string;
  text: string;
  /** Planted secrets (positives only). */
  secrets: string[];
}

export interface Corpus {
  positives: Sample[];
  negatives: Sample[];
}

export interface CorpusScore {
  secrets: number;
  found: number;
  recall: number;
  negatives: number;
  flagged: number;
  falsePositiveRate: number;
  missed: { template: string; secret: string; output: string }[];
  falsePositives: { template: string; output: string }[];
}

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = join(here, 'fixtures');

/** Templates of a fixture file: one per line, or one per <<< … >>> block; # starts a comment. */
export function readTemplates(file: string): string[] {
  const lines = readFileSync(join(FIXTURES_DIR, file), 'utf8').split('\n');
  const out: string[] = [];
  let block: string[] | null = null;
  for (const line of lines) {
    if (block) {
      if (line === '>>>') {
        out.push(block.join('\n'));
        block = null;
      } else block.push(line);
    } else if (line === '<<<') block = [];
    else if (line.trim() !== '' && !line.startsWith('#')) out.push(line);
  }
  if (block) throw new Error(`${file}: unterminated <<< block`);
  return out;
}

/** Fills a template's {{name}} placeholders; every occurrence gets its own value. */
export function expand(template: string, seed: number): Sample {
  const rnd = seededRandom(seed);
  const secrets: string[] = [];
  const text = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const gen = ALL_GENERATORS[name];
    if (!gen) throw new Error(`unknown placeholder {{${name}}} in: ${template}`);
    const value = gen(rnd);
    if (name in SECRET_GENERATORS) secrets.push(value);
    return value;
  });
  return { template, text, secrets };
}

/** Each template expanded once per seed (different fake values, same contexts). */
export function loadCorpus(seeds: readonly number[] = [1, 2, 3, 4, 5]): Corpus {
  const positives = readTemplates('positives.txt');
  const negatives = readTemplates('negatives.txt');
  const build = (templates: string[], salt: number) =>
    seeds.flatMap((seed) => templates.map((t, i) => expand(t, seed * 100_003 + i * 7 + salt)));
  return { positives: build(positives, 0), negatives: build(negatives, 1) };
}

/** PEM armour lines (`-----BEGIN RSA PRIVATE KEY-----`) are not secret and also occur in code. */
export function secretSurvives(secret: string, output: string): boolean {
  const lines = secret.split(/\n|\\n/).filter((l) => l.length >= 8 && !l.startsWith('-----'));
  return (lines.length ? lines : [secret]).some((l) => output.includes(l));
}

export function scoreCorpus(redactor: Redactor, corpus: Corpus): CorpusScore {
  let secrets = 0;
  let found = 0;
  const missed: CorpusScore['missed'] = [];
  for (const s of corpus.positives) {
    const output = redactor.redact(s.text).text;
    for (const secret of s.secrets) {
      secrets++;
      if (secretSurvives(secret, output)) missed.push({ template: s.template, secret, output });
      else found++;
    }
  }
  const falsePositives: CorpusScore['falsePositives'] = [];
  for (const s of corpus.negatives) {
    const r = redactor.redact(s.text);
    if (r.redactions > 0) falsePositives.push({ template: s.template, output: r.text });
  }
  return {
    secrets,
    found,
    recall: secrets ? found / secrets : 1,
    negatives: corpus.negatives.length,
    flagged: falsePositives.length,
    falsePositiveRate: corpus.negatives.length ? falsePositives.length / corpus.negatives.length : 0,
    missed,
    falsePositives,
  };
}
