import { describe, expect, it } from 'vitest';
import { MESSAGE_ID, readFrame } from '../src/frame';

const good = { type: 'customer_message', timestamp: '2026-11-29T00:00:00.000Z', payload: { text: 'hi' } };

describe('readFrame (the envelope of every WebSocket frame)', () => {
  it('accepts a well-formed envelope and returns the frame itself, without a copy', () => {
    const raw = { ...good, id: 'msg_1-A', seq: 3 };
    const check = readFrame(raw);
    expect(check).toEqual({ ok: true, frame: raw });
    if (check.ok) expect(check.frame).toBe(raw);
    // seq and id are optional; the payload may be empty; extra keys are left alone.
    expect(readFrame({ ...good, payload: {}, extra: 1 }).ok).toBe(true);
    expect(readFrame({ ...good, timestamp: '' }).ok).toBe(true);
    expect(readFrame({ ...good, type: 'x'.repeat(64), id: 'a'.repeat(64) }).ok).toBe(true);
  });

  it.each([
    ['null', null, '(frame)'],
    ['an array', [good], '(frame)'],
    ['a string', 'customer_message', '(frame)'],
    ['a number', 42, '(frame)'],
    ['no type', { ...good, type: undefined }, 'type'],
    ['an empty type', { ...good, type: '' }, 'type'],
    ['a type that is not a string', { ...good, type: 7 }, 'type'],
    ['a type over 64 characters', { ...good, type: 'x'.repeat(65) }, 'type'],
    ['no timestamp', { type: good.type, payload: good.payload }, 'timestamp'],
    ['a timestamp that is not a string', { ...good, timestamp: 1_764_374_400_000 }, 'timestamp'],
    ['a timestamp over 64 characters', { ...good, timestamp: 't'.repeat(65) }, 'timestamp'],
    ['no payload', { type: good.type, timestamp: good.timestamp }, 'payload'],
    ['a null payload', { ...good, payload: null }, 'payload'],
    ['a string payload', { ...good, payload: 'not an object' }, 'payload'],
    ['an array payload', { ...good, payload: ['hi'] }, 'payload'],
    ['seq zero', { ...good, seq: 0 }, 'seq'],
    ['a negative seq', { ...good, seq: -1 }, 'seq'],
    ['a fractional seq', { ...good, seq: 1.5 }, 'seq'],
    ['a seq beyond exact integers', { ...good, seq: 2 ** 53 }, 'seq'],
    ['a string seq', { ...good, seq: '1' }, 'seq'],
    ['a null seq', { ...good, seq: null }, 'seq'],
    ['an id with spaces', { ...good, id: 'has spaces' }, 'id'],
    ['an empty id', { ...good, id: '' }, 'id'],
    ['an id over 64 characters', { ...good, id: 'a'.repeat(65) }, 'id'],
    ['a numeric id', { ...good, id: 12 }, 'id'],
  ])('refuses %s, naming the field', (_what, raw, field) => {
    const check = readFrame(raw);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.issue.startsWith(`${field}: `)).toBe(true);
  });

  it('checks ids with the pattern the ack payload uses', () => {
    expect(MESSAGE_ID.test('abc_DEF-123')).toBe(true);
    expect(MESSAGE_ID.test('a/b')).toBe(false);
    expect(MESSAGE_ID.test('é')).toBe(false);
  });
});
