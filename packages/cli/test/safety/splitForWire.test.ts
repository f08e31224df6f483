import { describe, expect, it } from 'vitest';
import { splitForWire } from '../../src/safety/splitForWire';

describe('splitForWire', () => {
  it('returns nothing for empty text and one piece for short text', () => {
    expect(splitForWire('')).toEqual([]);
    expect(splitForWire('hello')).toEqual(['hello']);
  });

  it('splits at the character limit', () => {
    expect(splitForWire('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
  });

  it('never splits a surrogate pair', () => {
    const pieces = splitForWire('ab😀cd', 3);
    expect(pieces).toEqual(['ab', '😀c', 'd']);
    expect(pieces.join('')).toBe('ab😀cd');
  });

  it('limits the JSON-encoded size', () => {
    const text = `${'"'.repeat(10)}${'\u0001'.repeat(10)}é€`;
    const pieces = splitForWire(text, 1000, 12);
    expect(pieces.join('')).toBe(text);
    for (const p of pieces) expect(Buffer.byteLength(JSON.stringify(p)) - 2).toBeLessThanOrEqual(12);
  });
});
