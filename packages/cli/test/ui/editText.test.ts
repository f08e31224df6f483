import { describe, expect, it } from 'vitest';
import { editText } from '../../src/ui/editText';

describe('editText', () => {
  it('appends typed text, deletes with backspace, submits on Enter', () => {
    expect(editText('he', 'y', {})).toEqual({ kind: 'change', value: 'hey' });
    expect(editText('hey', '', { backspace: true })).toEqual({ kind: 'change', value: 'he' });
    expect(editText('hey', '', { delete: true })).toEqual({ kind: 'change', value: 'he' });
    expect(editText('hey', '\r', { return: true })).toEqual({ kind: 'submit', value: 'hey' });
    expect(editText('hey', '', { escape: true })).toEqual({ kind: 'escape' });
  });

  it('applies keys that arrived in one read one by one', () => {
    expect(editText('', 'after deny\r', {})).toEqual({ kind: 'submit', value: 'after deny' });
    expect(editText('y', '\x7f.env\r', {})).toEqual({ kind: 'submit', value: '.env' });
    expect(editText('', 'line one\nline two', {})).toEqual({ kind: 'change', value: 'line one line two' });
  });

  it('ignores navigation and control keys, and drops control characters from pasted text', () => {
    expect(editText('a', '', { upArrow: true })).toEqual({ kind: 'none' });
    expect(editText('a', 'x', { ctrl: true })).toEqual({ kind: 'none' });
    expect(editText('a', '\x00\x07', {})).toEqual({ kind: 'none' });
    expect(editText('a', 'b\x1b[31mc', {})).toEqual({ kind: 'change', value: 'ab[31mc' });
  });

  it('never grows past the limit, and deletes whole characters (not half an emoji)', () => {
    expect(editText('abc', 'defg', {}, 5)).toEqual({ kind: 'change', value: 'abcde' });
    expect(editText('ok 👍', '', { backspace: true })).toEqual({ kind: 'change', value: 'ok ' });
  });
});
