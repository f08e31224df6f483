/**
 * The one renderer for text that someone other than the reader controls: an engineer's (or
 * later an AI's) command, path, reason, chat, name, title and links, and the output of a
 * command or the content of a file shown back to the customer. Customer text is untrusted for
 * the engineer in the same way.
 *
 * Terminals obey control characters and escape sequences (ESC[8m conceals, `\r` and `\b`
 * overwrite, OSC 52 sets the clipboard), and bidi controls and zero-width characters make the
 * text on screen differ from the bytes that run. So nothing of that kind is passed through:
 * each such character is replaced by a visible marker, and the caller draws the markers in a
 * style of their own so a marker can never pass for typed text.
 *
 * Markers: ESC → `␛` (the rest of the sequence follows as plain text, `␛[8m`); tab, newline,
 * CR, backspace, form feed, vertical tab, BEL and NUL → `\t` `\n` `\r` `\b` `\f` `\v` `\a` `\0`;
 * every other control, format, separator or invisible character → `<U+XXXX>`.
 * Escaped on purpose (fidelity over looks: the customer must see every code point that runs):
 * - C0, DEL and C1 controls (C1 includes the one-byte CSI U+009B);
 * - every Unicode format character (Cf): bidi embeddings/overrides/isolates/marks
 *   (U+202A–202E, U+2066–2069, U+200E/200F, U+061C), zero-width space/joiners (U+200B–200D),
 *   word joiner and invisible operators (U+2060–2064), BOM (U+FEFF), soft hyphen (U+00AD),
 *   tag characters (U+E0000–E007F), interlinear annotations;
 * - variation selectors (U+FE00–FE0F, U+E0100–E01EF) and the Mongolian ones: they are invisible,
 *   and in a command they change the bytes of a word. Emoji that use VS16 or ZWJ show markers;
 * - line and paragraph separators, every space other than U+0020 (a no-break space looks like a
 *   space but is not one to the shell), the invisible Hangul fillers and U+034F;
 * - lone surrogates (they cannot be encoded and render as nothing or as a box).
 *
 * A marker is told apart from the same characters typed literally (a real backslash and `r`) only
 * by its style: use `untrustedSegments` wherever the output can be styled; `showUntrusted` is for
 * plain-text places (logs, titles) where that ambiguity is harmless.
 *
 * No dependencies, no Node APIs: the CLI and the browser console load the same file.
 */

/** A run of text; `escaped` runs are markers standing for invisible or control characters. */
export interface TextSegment {
  text: string;
  escaped: boolean;
}

export interface UntrustedTextOptions {
  /**
   * Keep newlines (and tabs) as layout, for multi-line fields the caller lays out itself (a
   * command shown as numbered lines, chat, output). A CR directly before LF is then dropped:
   * it cannot hide anything. Default false: a one-line field shows `\n` and `\t` as markers.
   */
  keepNewlines?: boolean;
}

const NAMED: Record<string, string> = {
  '\x1b': '␛',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
  '\x07': '\\a',
  '\0': '\\0',
};

// Cc: C0, DEL, C1. Cf: format characters (bidi, zero-width, BOM, soft hyphen, tags).
// Cs: lone surrogates (a `u` regex sees a paired surrogate as one astral code point).
// Zl/Zp: U+2028/2029. Then every space but U+0020, variation selectors and invisible fillers.
const UNSAFE =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u115F\u1160\u17B4\u17B5\u180E\u3164\uFFA0]|[\u034F\u180B-\u180D\u180F\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;

/** The same set without the global flag, for a yes/no test that keeps no state between calls. */
const UNSAFE_ANY = new RegExp(UNSAFE.source, 'u');

/** The marker for one unsafe code point. */
function marker(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const cp = ch.codePointAt(0) ?? 0;
  return `<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * Splits `text` into plain runs and marker runs. Plain runs contain no control, format or
 * invisible character (newlines and tabs only with `keepNewlines`). Never throws.
 */
export function untrustedSegments(text: unknown, options: UntrustedTextOptions = {}): TextSegment[] {
  const s = typeof text === 'string' ? text : text == null ? '' : String(text);
  const keep = options.keepNewlines === true;
  const out: TextSegment[] = [];
  const push = (part: string, escaped: boolean) => {
    if (!part) return;
    const last = out[out.length - 1];
    if (last && last.escaped === escaped) last.text += part;
    else out.push({ text: part, escaped });
  };
  let from = 0;
  UNSAFE.lastIndex = 0;
  for (let m = UNSAFE.exec(s); m; m = UNSAFE.exec(s)) {
    const ch = m[0];
    const at = m.index;
    if (keep && (ch === '\n' || ch === '\t')) continue;
    if (keep && ch === '\r' && s[at + 1] === '\n') {
      push(s.slice(from, at), false);
      from = at + 1;
      continue;
    }
    push(s.slice(from, at), false);
    push(marker(ch), true);
    from = at + ch.length;
  }
  push(s.slice(from), false);
  return out;
}

/** The same as one plain string, for places that cannot style the markers. */
export function showUntrusted(text: unknown, options: UntrustedTextOptions = {}): string {
  let out = '';
  for (const seg of untrustedSegments(text, options)) out += seg.text;
  return out;
}

// What the server refuses outright in commands and paths: NUL and the other C0/C1 controls and
// DEL (they rewrite the screen or the meaning of the bytes), bidi controls (they reorder what is
// shown) and the line/paragraph separators. Tab and newline are allowed only in multi-line text.
const FORBIDDEN = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/gu;

/**
 * Whether `text` contains a character that has no place in a command or a path: C0 controls
 * (tab and newline allowed with `allowNewlines`), DEL, C1 controls, bidi controls, U+2028/2029.
 */
export function hasForbiddenControls(text: string, options: { allowNewlines?: boolean } = {}): boolean {
  FORBIDDEN.lastIndex = 0;
  for (let m = FORBIDDEN.exec(text); m; m = FORBIDDEN.exec(text)) {
    if (options.allowNewlines && (m[0] === '\n' || m[0] === '\t')) continue;
    return true;
  }
  return false;
}

export type ScreenshareUrlCheck =
  | { ok: true; href: string; host: string }
  | { ok: false; reason: 'not-a-url' | 'not-https' | 'user-info' | 'hidden-characters' };

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** The parts of a WHATWG URL read here. */
interface ParsedUrl {
  protocol: string;
  username: string;
  password: string;
  hostname: string;
  host: string;
  href: string;
}
// URL is a global in browsers and Node alike; this folder is typechecked with neither's types
// (so it cannot use other APIs of one of them), hence the one typed reference.
const WhatwgUrl = (globalThis as unknown as { URL: new (input: string) => ParsedUrl }).URL;

/**
 * The rule for a link a customer may open (screenshare): `https:` only, or `http:` to a
 * loopback host when `allowLoopbackHttp` (development, where the server itself is local); no
 * user info (`https://meet.example.com@evil.example/` goes to evil.example); no control,
 * invisible or space characters (the URL parser silently drops tabs and newlines, so the host
 * opened could differ from the one shown). `host` is the parsed host (IDN as punycode), the
 * part the customer should read before opening.
 */
export function checkScreenshareUrl(url: string, options: { allowLoopbackHttp?: boolean } = {}): ScreenshareUrlCheck {
  if (typeof url !== 'string' || url.trim() === '') return { ok: false, reason: 'not-a-url' };
  if (UNSAFE_ANY.test(url) || url.includes(' ')) return { ok: false, reason: 'hidden-characters' };
  let u: ParsedUrl;
  try {
    u = new WhatwgUrl(url);
  } catch {
    return { ok: false, reason: 'not-a-url' };
  }
  const loopback = LOOPBACK.test(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback && options.allowLoopbackHttp)) {
    return { ok: false, reason: 'not-https' };
  }
  if (u.username !== '' || u.password !== '' || /^[a-z][a-z0-9+.-]*:\/*[^/?#]*@/i.test(url)) {
    return { ok: false, reason: 'user-info' };
  }
  if (!u.host) return { ok: false, reason: 'not-a-url' };
  return { ok: true, href: u.href, host: u.host };
}

/** Whether a host name is this machine (used to tell a development setup). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/** One sentence for a refused link, addressed to the person who would open it. */
export function screenshareUrlProblem(reason: Extract<ScreenshareUrlCheck, { ok: false }>['reason']): string {
  switch (reason) {
    case 'not-a-url':
      return 'This is not a full web link.';
    case 'not-https':
      return 'Only https:// links can be opened.';
    case 'user-info':
      return 'The link has a user name before its host (user@host), which hides where it goes.';
    case 'hidden-characters':
      return 'The link contains spaces, control or invisible characters.';
  }
}
