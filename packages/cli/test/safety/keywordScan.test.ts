import { describe, expect, it } from 'vitest';
import { type KeywordGroup, keywordScanner } from '../../src/safety/keywordScan';
import { seededRandom } from './fakeSecrets';

/** The offsets a regex finds for each group (overlapping occurrences included): the reference. */
function reference(groups: readonly KeywordGroup[], text: string): number[][] {
  return groups.map(({ words, ignoreCase }) => {
    const found = new Set<number>();
    for (const word of words) {
      const re = new RegExp(word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), ignoreCase ? 'gi' : 'g');
      for (let m = re.exec(text); m; m = re.exec(text)) {
        found.add(m.index);
        re.lastIndex = m.index + 1;
      }
    }
    return [...found].sort((a, b) => a - b);
  });
}

describe('keywordScanner', () => {
  it('finds every occurrence, overlapping or inside another word, sorted and once each', () => {
    const groups = [
      { words: ['AAAA'], ignoreCase: false },
      { words: ['ab', 'xaby', 'by'], ignoreCase: false },
    ];
    expect(keywordScanner(groups)('AAAAAA xaby ab')).toEqual([
      [0, 1, 2],
      [7, 8, 9, 12],
    ]);
  });

  it('matches a case-insensitive group in any ASCII case and a case-sensitive one exactly', () => {
    const scan = keywordScanner([
      { words: ['pass'], ignoreCase: true },
      { words: ['AKIA'], ignoreCase: false },
      { words: ['pass'], ignoreCase: false },
    ]);
    expect(scan('PASS Pass pass akia AKIA')).toEqual([[0, 5, 10], [20], [10]]);
  });

  it('counts no unit outside ASCII as a letter, as a regex without the u flag does', () => {
    // ŧ (U+0167) has the low byte of `g`; the Kelvin sign (U+212A) is a `k` only to /k/iu.
    const scan = keywordScanner([
      { words: ['gh'], ignoreCase: false },
      { words: ['key'], ignoreCase: true },
    ]);
    expect(scan('\u0167h \u212Aey gh')).toEqual([[7], []]);
    expect(/key/i.test('\u212Aey')).toBe(false);
  });

  it('finds a word that straddles the pieces the text is read in', () => {
    const scan = keywordScanner([{ words: ['ghp_'], ignoreCase: false }]);
    for (const piece of [64 * 1024, 128 * 1024]) {
      for (let at = piece - 5; at <= piece + 1; at++) {
        const text = `${'x'.repeat(at)}ghp_${'y'.repeat(10)}`;
        expect(scan(text), `at ${at}`).toEqual([[at]]);
      }
    }
  });

  it('agrees with a regex search on random text', () => {
    const groups: KeywordGroup[] = [
      { words: ['pass', 'pwd', 'secret', 'token', 'key', 'auth'], ignoreCase: true },
      { words: ['ghp_', 'sk-', 'sk-ant-', 'AKIA', '://', '|', 'u ', 'u\t'], ignoreCase: false },
      { words: ['-----BEGIN'], ignoreCase: false },
    ];
    const scan = keywordScanner(groups);
    const pieces = [
      'pa',
      'ss',
      'PaSs',
      'Key',
      'ke',
      'y',
      'to',
      'ken',
      'gh',
      'p_',
      'sk',
      '-',
      'ant-',
      'AK',
      'IA',
      ':',
      '//',
    ];
    const extra = ['u', ' ', '\t', '|', '\n', '\r', 'é', '\u0167', '\u212A', '😀', '-----', 'BEGIN', 'x'];
    for (let seed = 1; seed <= 50; seed++) {
      const rnd = seededRandom(seed);
      let text = '';
      while (text.length < 2000) {
        const from = rnd() < 0.6 ? pieces : extra;
        text += from[Math.floor(rnd() * from.length)];
      }
      expect(scan(text), `seed ${seed}`).toEqual(reference(groups, text));
    }
  });

  it('refuses a keyword it cannot look for, naming it', () => {
    expect(() => keywordScanner([{ words: ['a\nb'], ignoreCase: false }])).toThrow(/"a\\nb": printable ASCII/);
    expect(() => keywordScanner([{ words: ['clé'], ignoreCase: true }])).toThrow(/"clé": printable ASCII/);
    expect(() => keywordScanner([{ words: [''], ignoreCase: true }])).toThrow(/printable ASCII/);
  });
});
