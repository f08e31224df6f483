import { describe, expect, it } from 'vitest';
import { createRedactor, findRuleSpans } from '../../src/safety/redactor';
import { SECRET_RULES } from '../../src/safety/secretRules';
import { loadCorpus } from './corpus';
import { SECRET_GENERATORS, seededRandom } from './fakeSecrets';

/**
 * The redactor runs each rule only where its keywords are (redactor.ts). These tests hold it
 * to the reference: every rule over the whole text, from every offset. A keyword missing from
 * a rule's list, or a rule that looks past its line, shows up here as a difference.
 */
describe('keyword gate', () => {
  const corpus = loadCorpus([1, 2]);
  const samples = [...corpus.positives, ...corpus.negatives].map((s) => s.text);

  it('finds in every corpus sample exactly what the ungated rules find', () => {
    let spans = 0;
    for (const text of samples) {
      const gated = findRuleSpans(text);
      expect(gated, text).toEqual(findRuleSpans(text, false));
      spans += gated.length;
    }
    // Not vacuous: the positives are found (by far more than one rule kind).
    expect(spans).toBeGreaterThan(corpus.positives.length);
    expect(new Set(samples.flatMap((t) => findRuleSpans(t).map((s) => s.ruleId))).size).toBeGreaterThan(40);
  });

  it('finds the same in texts of many samples, whose windows join and whose lines end in \\r\\n or \\r', () => {
    const rnd = seededRandom(11);
    for (let round = 0; round < 12; round++) {
      const picked = Array.from({ length: 60 }, () => samples[Math.floor(rnd() * samples.length)] as string);
      const breaks = ['\n', '\r\n', '\r', '\n\n'];
      const text = picked.map((s) => s + breaks[Math.floor(rnd() * breaks.length)]).join('');
      expect(findRuleSpans(text), `round ${round}`).toEqual(findRuleSpans(text, false));
    }
  });

  it('finds the same at the edges: keyword first or last in the text, units outside ASCII around it', () => {
    const token = SECRET_GENERATORS.github_token?.(seededRandom(5)) ?? '';
    const edges = [
      token,
      `${token}\n`,
      `\n${token}`,
      `password=Xk9#mP2$qLw`,
      `é password=Xk9#mP2$qLw ŧ`,
      `\u0167hp_${token.slice(4)}`, // `ŧ` has the low byte of `g`: not a GitHub token
      '  - name: DB_PASSWORD\r\n    value: "Kp3#vX9qLm"',
      '    value: "Kp3#vX9qLm"',
      'mysql -uroot -pQw8#zLm2Tx app\rmysql',
      'https://app:Tz8kQ2pLmW4x@db.internal/app',
      'curl -su\tdeploy:Xk9#mP2$qLw https://api.example.net',
      'r = requests.get(url, auth=HTTPBasicAuth("deploy", "Xk9#mP2$qLw"))',
    ];
    for (const text of edges) {
      expect(findRuleSpans(text), text).toEqual(findRuleSpans(text, false));
      if (text.includes('Xk9#')) expect(createRedactor().redact(text).text, text).not.toContain('Xk9#');
    }
    expect(createRedactor().redact(edges[5] as string).redactions).toBe(0);
  });

  it('masks a token whose prefix straddles a piece of the scan (64 KiB), at each split of the prefix', () => {
    const token = SECRET_GENERATORS.github_token?.(seededRandom(9)) ?? '';
    const redactor = createRedactor();
    for (let before = 64 * 1024 - 4; before <= 64 * 1024; before++) {
      const text = `${'log line\n'.repeat(8192).slice(0, before - 1)} ${token} done\n`;
      const out = redactor.redact(text);
      expect(out.redactions, `prefix at ${before}`).toBe(1);
      expect(out.text).not.toContain(token);
    }
  });

  it('lets every rule with a keyword run only where one occurs', () => {
    // The few rules without a keyword scan every text; all others are gated.
    const ungated = SECRET_RULES.filter((r) => !r.keywords).map((r) => r.id);
    expect(ungated).toEqual(['discord-bot-token', 'generic-secret']); // the second: .pgpass
    expect(findRuleSpans('nothing to see here, 12:30:45 INFO GET /health 200')).toEqual([]);
  });
});
