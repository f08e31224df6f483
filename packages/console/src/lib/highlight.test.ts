import { describe, expect, it } from 'vitest';
import { highlightFile, languageForPath, MAX_HIGHLIGHT_CHARS } from './highlight';

const lineText = (line: { text: string }[]) => line.map((t) => t.text).join('');

describe('languageForPath', () => {
  it('picks a language from the extension or well-known names', () => {
    expect(languageForPath('src/auth.ts')).toBe('typescript');
    expect(languageForPath('a/b/app.PY')).toBe('python');
    expect(languageForPath('Dockerfile')).toBe('dockerfile');
    expect(languageForPath('config.toml')).toBe('ini');
  });

  it('returns null for unknown or extension-less names', () => {
    expect(languageForPath('LICENSE')).toBeNull();
    expect(languageForPath('.bashrc')).toBeNull();
    expect(languageForPath('data.weird')).toBeNull();
  });
});

describe('highlightFile', () => {
  it('keeps every line and its text, with scope classes on tokens', () => {
    const src = 'const a = 1;\n// note\nfunction f() {\n  return "x";\n}\n';
    const out = highlightFile(src, 'x.js');
    expect(out.language).toBe('javascript');
    expect(out.lines.map(lineText)).toEqual(['const a = 1;', '// note', 'function f() {', '  return "x";', '}']);
    expect(out.lines[0]?.find((t) => t.text === 'const')?.className).toBe('hljs-keyword');
    expect(out.lines[1]?.[0]?.className).toBe('hljs-comment');
  });

  it('splits a multi-line token across lines, keeping its class on each', () => {
    const out = highlightFile('/* one\ntwo */\nx', 'a.ts');
    expect(out.lines.map(lineText)).toEqual(['/* one', 'two */', 'x']);
    expect(out.lines[1]?.[0]?.className).toBe('hljs-comment');
  });

  it('decodes entities back to the original characters (rendered later as text)', () => {
    const src = 'const s = "<img src=x onerror=alert(1)> & \'q\'";';
    const out = highlightFile(src, 'evil.js');
    expect(lineText(out.lines[0] ?? [])).toBe(src);
  });

  it('marks redaction markers inside highlighted tokens', () => {
    const out = highlightFile('API_KEY = "[REDACTED:api-key]"\n', 'settings.py');
    const marker = out.lines[0]?.find((t) => t.redacted !== undefined);
    expect(marker).toMatchObject({ text: '[REDACTED:api-key]', redacted: 'api-key' });
  });

  it('shows unknown languages and very large files as plain text', () => {
    expect(highlightFile('a\r\nb', 'NOTES')).toEqual({
      language: null,
      lines: [[{ text: 'a', className: '' }], [{ text: 'b', className: '' }]],
    });
    const big = 'x'.repeat(MAX_HIGHLIGHT_CHARS + 1);
    expect(highlightFile(big, 'big.js').language).toBeNull();
  });

  it('keeps empty lines as empty token lists', () => {
    expect(highlightFile('a\n\nb', 'f.txt').lines).toHaveLength(3);
    expect(highlightFile('', 'f.txt').lines).toEqual([[]]);
  });
});
