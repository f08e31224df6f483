import { describe, expect, it } from 'vitest';
import {
  checkScreenshareUrl,
  hasForbiddenControls,
  showUntrusted,
  untrustedSegments,
} from '../src/shared/untrustedText';

/** Any code point a terminal could act on, or that a reader could not see. */
const RAW_UNSAFE =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u115F\u1160\u17B4\u17B5\u180E\u3164\uFFA0]|[\u034F\u180B-\u180D\u180F\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;

describe('showUntrusted', () => {
  it('leaves ordinary text alone, including non-Latin scripts and emoji without selectors', () => {
    for (const t of ['npm test -- --grep "auth"', 'Grüße, 世界 — ok ✓', 'שלום', '😀 done', '']) {
      expect(showUntrusted(t)).toBe(t);
    }
  });

  it('shows ESC as ␛ followed by the rest of the sequence as text', () => {
    expect(showUntrusted('npm test \x1b[8m; cat ~/.config/codevf/auth.json #\x1b[0m')).toBe(
      'npm test ␛[8m; cat ~/.config/codevf/auth.json #␛[0m',
    );
    expect(showUntrusted('\x1b]52;c;Y3VybCB8IHNo\x07')).toBe('␛]52;c;Y3VybCB8IHNo\\a');
    expect(showUntrusted('\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\')).toBe(
      '␛]8;;https://evil.example␛\\click␛]8;;␛\\',
    );
  });

  it('names the common C0 controls and numbers the rest, C1 and DEL', () => {
    expect(showUntrusted('a\rb\bc\fd\ve\0f\x07')).toBe('a\\rb\\bc\\fd\\ve\\0f\\a');
    expect(showUntrusted('\x01\x1f\x7f')).toBe('<U+0001><U+001F><U+007F>');
    expect(showUntrusted('\u009b8m\u0085')).toBe('<U+009B>8m<U+0085>');
  });

  it('shows tabs and newlines in one-line fields, keeps them as layout when asked', () => {
    expect(showUntrusted('a\tb\nc')).toBe('a\\tb\\nc');
    expect(showUntrusted('a\tb\nc', { keepNewlines: true })).toBe('a\tb\nc');
    // CR before LF hides nothing; a lone CR still shows.
    expect(showUntrusted('a\r\nb\rc', { keepNewlines: true })).toBe('a\nb\\rc');
  });

  it('shows bidi controls', () => {
    const bidi = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
    for (const c of [...bidi, '\u200e', '\u200f', '\u061c']) {
      const cp = c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
      expect(showUntrusted(`x${c}y`)).toBe(`x<U+${cp}>y`);
    }
    expect(showUntrusted('rm -rf \u202Efdp.txt')).toBe('rm -rf <U+202E>fdp.txt');
  });

  it('shows zero-width, invisible, odd spaces, separators, selectors and tags', () => {
    const cases: [string, string][] = [
      ['\u200b', '<U+200B>'],
      ['\u200c', '<U+200C>'],
      ['\u200d', '<U+200D>'],
      ['\u2060', '<U+2060>'],
      ['\u2064', '<U+2064>'],
      ['\ufeff', '<U+FEFF>'],
      ['\u00ad', '<U+00AD>'],
      ['\u00a0', '<U+00A0>'],
      ['\u3000', '<U+3000>'],
      ['\u2028', '<U+2028>'],
      ['\u2029', '<U+2029>'],
      ['\ufe0f', '<U+FE0F>'],
      ['\u{e0100}', '<U+E0100>'],
      ['\u{e0041}', '<U+E0041>'],
      ['\u3164', '<U+3164>'],
      ['\u034f', '<U+034F>'],
    ];
    for (const [c, m] of cases) expect(showUntrusted(`a${c}b`)).toBe(`a${m}b`);
  });

  it('shows lone surrogates and keeps paired ones', () => {
    expect(showUntrusted('a\ud800b\udfffc')).toBe('a<U+D800>b<U+DFFF>c');
    expect(showUntrusted('\ud83d\ude00')).toBe('😀');
  });

  it('never throws on non-strings', () => {
    expect(showUntrusted(undefined)).toBe('');
    expect(showUntrusted(null)).toBe('');
    expect(showUntrusted(42)).toBe('42');
  });
});

describe('untrustedSegments', () => {
  it('marks the markers, merging neighbours of the same kind', () => {
    expect(untrustedSegments('ok\x1b[8m\r\nhidden')).toEqual([
      { text: 'ok', escaped: false },
      { text: '␛', escaped: true },
      { text: '[8m', escaped: false },
      { text: '\\r\\n', escaped: true },
      { text: 'hidden', escaped: false },
    ]);
    expect(untrustedSegments('')).toEqual([]);
  });

  it('fuzz: plain runs never hold an unsafe code point, and the markers account for every one', () => {
    const alphabet = [
      'a',
      ' ',
      '\n',
      '\t',
      '\r',
      '\b',
      '\x1b',
      '[',
      ']',
      '8',
      'm',
      ';',
      '\x07',
      '\0',
      '\x7f',
      '\u009b',
      '\u202e',
      '\u2066',
      '\u200b',
      '\ufeff',
      '\u00ad',
      '\ufe0f',
      '\ud800',
      '\udc00',
      '😀',
      '\u{e0001}',
      'é',
      '\u0301',
      '世',
      '\u2028',
    ];
    let seed = 19;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const len = rand(40);
      for (let j = 0; j < len; j++) s += alphabet[rand(alphabet.length)];
      for (const keepNewlines of [false, true]) {
        const segs = untrustedSegments(s, { keepNewlines });
        for (const seg of segs) {
          if (seg.escaped) continue;
          const rest = keepNewlines ? seg.text.replace(/[\n\t]/g, '') : seg.text;
          expect(RAW_UNSAFE.test(rest), JSON.stringify(s)).toBe(false);
        }
        expect(RAW_UNSAFE.test(showUntrusted(s)), JSON.stringify(s)).toBe(false);
      }
    }
  });

  // How fast is for the benches to say (no timed unit tests); this is that a megabyte of hostile
  // output comes out whole: every repeat rendered alike, nothing dropped, doubled or run together.
  it('renders a megabyte of hostile output completely, each repeat the same as one alone', () => {
    const chunk = 'line \x1b[31mred\x1b[0m\r\n\u202e\u200b plain text that goes on for a while\n';
    const n = Math.ceil(1_000_000 / chunk.length);
    const big = chunk.repeat(n);
    const one = untrustedSegments(chunk, { keepNewlines: true });
    expect(one).toEqual([
      { text: 'line ', escaped: false },
      { text: '␛', escaped: true },
      { text: '[31mred', escaped: false },
      { text: '␛', escaped: true },
      { text: '[0m\n', escaped: false },
      { text: '<U+202E><U+200B>', escaped: true },
      { text: ' plain text that goes on for a while\n', escaped: false },
    ]);
    const all = untrustedSegments(big, { keepNewlines: true });
    // A repeat's last plain run joins the next one's first: 6 runs per repeat, and one more.
    expect(all).toHaveLength(6 * n + 1);
    const markers = all.filter((seg) => seg.escaped).map((seg) => `${seg.text}|`);
    expect(markers.join('')).toBe('␛|␛|<U+202E><U+200B>|'.repeat(n));
    // showUntrusted is these runs end to end.
    expect(all.map((seg) => seg.text).join('')).toBe(showUntrusted(chunk, { keepNewlines: true }).repeat(n));
  });
});

describe('hasForbiddenControls', () => {
  it('refuses NUL, C0 and C1 controls, DEL and bidi controls', () => {
    for (const c of ['\0', '\x1b', '\r', '\b', '\x7f', '\u009b', '\u202e', '\u2066', '\u200f', '\u061c', '\u2028']) {
      expect(hasForbiddenControls(`npm test${c}`), JSON.stringify(c)).toBe(true);
      expect(hasForbiddenControls(`npm test${c}`, { allowNewlines: true }), JSON.stringify(c)).toBe(true);
    }
  });

  it('allows tab and newline only in multi-line text', () => {
    expect(hasForbiddenControls('a\nb\tc')).toBe(true);
    expect(hasForbiddenControls('a\nb\tc', { allowNewlines: true })).toBe(false);
    expect(hasForbiddenControls('src/app.ts')).toBe(false);
    expect(hasForbiddenControls('Grüße 世界 😀')).toBe(false);
  });
});

describe('checkScreenshareUrl', () => {
  it('accepts https links and names their host', () => {
    expect(checkScreenshareUrl('https://meet.google.com/abc-defg-hij')).toEqual({
      ok: true,
      href: 'https://meet.google.com/abc-defg-hij',
      host: 'meet.google.com',
    });
    expect(checkScreenshareUrl('https://bücher.example/x')).toMatchObject({ ok: true, host: 'xn--bcher-kva.example' });
  });

  it('refuses other schemes', () => {
    for (const url of [
      'http://meet.example.com/x',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'vscode://vscode.git/clone?url=https://evil.example/r.git',
      'data:text/html,<script>',
    ]) {
      expect(checkScreenshareUrl(url), url).toEqual({ ok: false, reason: 'not-https' });
    }
  });

  it('allows http to loopback only when asked (development)', () => {
    expect(checkScreenshareUrl('http://localhost:8080/x')).toEqual({ ok: false, reason: 'not-https' });
    expect(checkScreenshareUrl('http://localhost:8080/x', { allowLoopbackHttp: true })).toMatchObject({ ok: true });
    expect(checkScreenshareUrl('http://127.0.0.1/x', { allowLoopbackHttp: true })).toMatchObject({ ok: true });
    expect(checkScreenshareUrl('http://[::1]:3000/', { allowLoopbackHttp: true })).toMatchObject({ ok: true });
    expect(checkScreenshareUrl('http://evil.example/', { allowLoopbackHttp: true })).toMatchObject({ ok: false });
  });

  it('refuses user info, which hides the real host', () => {
    expect(checkScreenshareUrl('https://meet.google.com@evil.example/x')).toEqual({ ok: false, reason: 'user-info' });
    expect(checkScreenshareUrl('https://a:b@evil.example/')).toEqual({ ok: false, reason: 'user-info' });
    expect(checkScreenshareUrl('https://@evil.example/')).toEqual({ ok: false, reason: 'user-info' });
  });

  it('refuses hidden characters and text that is not a URL', () => {
    expect(checkScreenshareUrl('https://meet.google.com\n.evil.example/')).toEqual({
      ok: false,
      reason: 'hidden-characters',
    });
    expect(checkScreenshareUrl('https://meet.google.com\u202e/x')).toMatchObject({ ok: false });
    expect(checkScreenshareUrl('https://x\x1b[8m.example')).toMatchObject({ ok: false });
    expect(checkScreenshareUrl('meet.example.com')).toEqual({ ok: false, reason: 'not-a-url' });
    expect(checkScreenshareUrl('')).toEqual({ ok: false, reason: 'not-a-url' });
  });
});
