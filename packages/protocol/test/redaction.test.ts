import { describe, expect, it } from 'vitest';
import { countRedactions, splitRedactions } from '../src/shared/redaction';

describe('splitRedactions', () => {
  it('splits labelled and bare markers from the text around them', () => {
    expect(splitRedactions('a [REDACTED:stripe-key] b [REDACTED]')).toEqual([
      { text: 'a ' },
      { text: '[REDACTED:stripe-key]', redacted: 'stripe-key' },
      { text: ' b ' },
      { text: '[REDACTED]', redacted: '' },
    ]);
  });

  it('leaves look-alikes alone', () => {
    expect(splitRedactions('[redacted] [REDACTED:no end')).toEqual([{ text: '[redacted] [REDACTED:no end' }]);
    expect(splitRedactions('')).toEqual([]);
  });

  it('counts markers', () => {
    expect(countRedactions('x [REDACTED:a] y [REDACTED:b]')).toBe(2);
    expect(countRedactions('nothing here')).toBe(0);
  });
});
