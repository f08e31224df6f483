import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/safety/redactor';
import { expand, loadCorpus, readTemplates, scoreCorpus } from './corpus';

describe('redaction corpus', () => {
  const corpus = loadCorpus();

  it('is large enough to measure and contains no real-looking secret in its templates', () => {
    // ≈ 400 templates each way, over 40-odd kinds of secret; each is expanded once per seed.
    expect(readTemplates('positives.txt').length).toBeGreaterThanOrEqual(400);
    expect(readTemplates('negatives.txt').length).toBeGreaterThanOrEqual(400);
    expect(corpus.positives.length).toBeGreaterThanOrEqual(2000);
    expect(corpus.negatives.length).toBeGreaterThanOrEqual(2000);
    // Provider tokens come from the generator at run time, never from the fixture files
    // themselves (so no secret scanner flags the repository). Shape-judged rules and PEM armour
    // around a placeholder body may still fire on a template's context; provider formats must not.
    const templates = [...readTemplates('positives.txt'), ...readTemplates('negatives.txt')].join('\n');
    expect(createRedactor().redact(templates.replace(/\{\{\w+\}\}/g, 'x')).text).not.toMatch(
      /\[REDACTED:(?!generic-secret|cli-flag-secret|url-credentials|bearer-token|authorization-header|private-key)/,
    );
  });

  it('finds at least 99 % of planted secrets and flags at most 1 % of negative samples', () => {
    const score = scoreCorpus(createRedactor(), corpus);
    const report = {
      recall: score.recall,
      falsePositiveRate: score.falsePositiveRate,
      missed: [...new Set(score.missed.map((m) => m.template))],
      falsePositives: [...new Set(score.falsePositives.map((f) => f.template))],
    };
    expect(score.recall, JSON.stringify(report, null, 2)).toBeGreaterThanOrEqual(0.99);
    expect(score.falsePositiveRate, JSON.stringify(report, null, 2)).toBeLessThanOrEqual(0.01);
  });

  it('scores a redactor that masks nothing as recall 0, and one that masks everything as all false positives', () => {
    const none = scoreCorpus({ redact: (text) => ({ text, redactions: 0 }), findSecrets: () => [] }, corpus);
    expect(none.recall).toBe(0);
    expect(none.falsePositiveRate).toBe(0);
    const all = scoreCorpus({ redact: () => ({ text: '', redactions: 1 }), findSecrets: () => [] }, corpus);
    expect(all.recall).toBe(1);
    expect(all.falsePositiveRate).toBe(1);
  });

  it('rejects a template with an unknown placeholder', () => {
    expect(() => expand('KEY={{no_such_generator}}', 1)).toThrow(/unknown placeholder/);
  });

  it('gives each placeholder occurrence its own value, reproducibly', () => {
    const a = expand('{{github_token}} {{github_token}}', 9);
    expect(a.secrets).toHaveLength(2);
    expect(a.secrets[0]).not.toBe(a.secrets[1]);
    expect(expand('{{github_token}} {{github_token}}', 9)).toEqual(a);
  });
});
