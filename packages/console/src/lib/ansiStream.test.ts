import { describe, expect, it } from 'vitest';
import { ansiToSegments, createAnsiStream } from './ansiStream';

const ESC = '\x1b';

describe('ansiToSegments', () => {
  it('turns SGR colours and decorations into classes, not styles', () => {
    const segs = ansiToSegments(`plain ${ESC}[31mred ${ESC}[1mbold-red${ESC}[0m done`);
    expect(segs).toEqual([
      { text: 'plain ', className: '' },
      { text: 'red ', className: 'ansi-red-fg' },
      { text: 'bold-red', className: 'ansi-red-fg ansi-bold' },
      { text: ' done', className: '' },
    ]);
  });

  it('maps bright, background and 256-colour codes to themed classes', () => {
    const segs = ansiToSegments(`${ESC}[92;41mA${ESC}[0m${ESC}[38;5;196mB${ESC}[38;5;245mC`);
    expect(segs.map((s) => s.className)).toEqual([
      'ansi-bright-green-fg ansi-red-bg',
      'ansi-bright-red-fg',
      'ansi-white-fg',
    ]);
  });

  it('drops escape sequences it cannot render instead of printing raw ESC bytes', () => {
    const segs = ansiToSegments(
      `${ESC}]0;title${ESC}\\${ESC}[2Kline${ESC}]8;;http://x${ESC}\\link${ESC}]8;;${ESC}\\\x07`,
    );
    const text = segs.map((s) => s.text).join('');
    expect(text).toBe('linelink');
    expect(text).not.toContain(ESC);
  });

  it('marks redaction markers as their own segments, keeping the colour', () => {
    const segs = ansiToSegments(`${ESC}[33mKEY=[REDACTED:aws-key] and [REDACTED]${ESC}[0m`);
    expect(segs).toEqual([
      { text: 'KEY=', className: 'ansi-yellow-fg' },
      { text: '[REDACTED:aws-key]', className: 'ansi-yellow-fg', redacted: 'aws-key' },
      { text: ' and ', className: 'ansi-yellow-fg' },
      { text: '[REDACTED]', className: 'ansi-yellow-fg', redacted: '' },
    ]);
  });

  it('turns CRLF and lone CR into newlines', () => {
    expect(
      ansiToSegments('a\r\nb\rc')
        .map((s) => s.text)
        .join(''),
    ).toBe('a\nb\nc');
  });

  it('leaves markup-looking text as text (the caller renders text nodes)', () => {
    expect(ansiToSegments('<img src=x onerror=alert(1)>')).toEqual([
      { text: '<img src=x onerror=alert(1)>', className: '' },
    ]);
  });
});

describe('createAnsiStream', () => {
  it('carries the colour from one chunk to the next', () => {
    const s = createAnsiStream();
    expect(s.push(`${ESC}[32mgreen `)).toEqual([{ text: 'green ', className: 'ansi-green-fg' }]);
    expect(s.push('still green')).toEqual([{ text: 'still green', className: 'ansi-green-fg' }]);
  });

  it('holds back an escape sequence cut between chunks', () => {
    const s = createAnsiStream();
    expect(s.push(`ok ${ESC}[3`)).toEqual([{ text: 'ok ', className: '' }]);
    expect(s.push('1mred')).toEqual([{ text: 'red', className: 'ansi-red-fg' }]);
  });

  it('holds back a redaction marker cut between chunks', () => {
    const s = createAnsiStream();
    expect(s.push('token=[REDAC')).toEqual([{ text: 'token=', className: '' }]);
    expect(s.push('TED:github-token] end')).toEqual([
      { text: '[REDACTED:github-token]', className: '', redacted: 'github-token' },
      { text: ' end', className: '' },
    ]);
  });

  it('releases a held-back tail that never completes on flush', () => {
    const s = createAnsiStream();
    expect(s.push('array[')).toEqual([{ text: 'array', className: '' }]);
    expect(s.flush()).toEqual([{ text: '[', className: '' }]);
    expect(s.flush()).toEqual([]);
  });

  it('drops an escape sequence that never finished when the stream ends', () => {
    const s = createAnsiStream();
    expect(s.push(`done ${ESC}[3`)).toEqual([{ text: 'done ', className: '' }]);
    expect(s.flush()).toEqual([]);
    const t = createAnsiStream();
    t.push(`x${ESC}]0;title`);
    expect(t.flush()).toEqual([]);
  });

  it('does not split CRLF across chunks into two line breaks', () => {
    const s = createAnsiStream();
    const text = [...s.push('a\r'), ...s.push('\nb'), ...s.flush()].map((x) => x.text).join('');
    expect(text).toBe('a\nb');
  });
});
