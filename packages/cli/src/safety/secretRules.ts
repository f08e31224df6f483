import { characterClasses, shannonEntropy } from './entropy';
import { PROVIDER_TOKENS } from './providerTokens';

/**
 * The secret-detection rules of the redactor, in the spirit of gitleaks: provider-specific
 * token formats first (exact, no guessing), then shapes that need judgement (credentials in
 * URLs, bearer tokens, `password=`-style assignments), which pass an entropy and placeholder
 * check. Every rule reports spans of the original text; the redactor merges them.
 *
 * No rule matches across a line break except `private-key` (PEM blocks) and the Kubernetes
 * `name:` / `value:` pair, whose value line is judged by the line before it. The stream
 * redactor relies on that: it releases output line by line, holds only an open PEM block, and
 * scans each release together with the line released before it.
 */

export interface SecretSpan {
  /** Offsets into the scanned text, `end` exclusive. */
  start: number;
  end: number;
  ruleId: string;
}

export interface SecretRule {
  id: string;
  find(text: string): SecretSpan[];
}

// ---- generic judgement -----------------------------------------------------------------

/**
 * Entropy thresholds for values found by shape (assignments, bearer tokens, URL passwords),
 * in bits per character (see entropy.ts):
 * - values shorter than 6 characters are never masked ("admin", "1234", "root");
 * - a value of one character class needs ≥ 3.0 ("changeme" and "postgres" = 2.75 stay,
 *   "qhzkfjdw" = 3.0 goes);
 * - a value mixing classes needs ≥ 2.2 ("hunter22" = 2.75, "pepper.9393" = 2.48 go; "abc1" is
 *   too short, and "pepper10" = 2.16 stays — the price of leaving placeholders alone);
 * - an unquoted lower-case word (a variable in code: `password = credentials`) needs ≥ 3.5,
 *   i.e. it has to look random; unquoted CamelCase names (`token: TokenResponse`,
 *   `password = userInput`) and UPPER_SNAKE constants are never secrets.
 * Why so low: the key already says "this is a password", so a masked non-secret costs little,
 * while a leaked weak password costs a lot. Placeholders are caught by words, not entropy.
 */
export const GENERIC_MIN_LENGTH = 6;
export const ENTROPY_SINGLE_CLASS = 3.0;
export const ENTROPY_MIXED_CLASSES = 2.2;
export const ENTROPY_BARE_WORD = 3.5;

/** Substrings that mark a documentation placeholder or a variable name, not a secret. */
const PLACEHOLDER_WORDS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'changeme',
  'change_me',
  'change-me',
  'example',
  'sample',
  'placeholder',
  'your',
  'dummy',
  'redacted',
  'replace',
  'todo',
  'fixme',
  'xxxx',
  '****',
  '...',
];

/**
 * Values published in documentation as examples (AWS's example key pair, jwt.io's token, the
 * Azure storage emulator's well-known key, Telegram's sample bot token): anything containing
 * one is an example, not a leak.
 */
const KNOWN_EXAMPLES = [
  'EXAMPLE', // AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and the rest of AWS's docs
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c', // jwt.io
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq', // Azurite's devstoreaccount1
  'ABC-DEF1234ghIkl-zyx57W2v1u123ew11', // Telegram's Bot API docs
  'not-a-real',
];

/**
 * A value whose shape fits a token format but that is a documentation placeholder: a known
 * example, or a run of one repeated character (`ghp_xxxx…`, `sk_test_XXXX…`, `0000…`).
 */
export function isExampleToken(value: string): boolean {
  if (/(.)\1{5}/.test(value)) return true;
  const upper = value.toUpperCase();
  return KNOWN_EXAMPLES.some((e) => upper.includes(e.toUpperCase()));
}

/** Values that are types, literals or keywords in common languages. */
const NON_SECRET_WORDS = new Set([
  'string',
  'number',
  'boolean',
  'object',
  'unknown',
  'bigint',
  'integer',
  'float',
  'double',
  'buffer',
  'required',
  'optional',
  'default',
  'nullable',
  'undefined',
  'function',
  'private',
  'public',
  'readonly',
]);

/**
 * Decides whether a value found next to a secret-sounding key is a secret. `bare` means the
 * value was not quoted, so it may be code (`process.env.X`, `getToken()`) rather than data.
 */
export function isLikelySecretValue(value: string, bare: boolean): boolean {
  if (value.length < GENERIC_MIN_LENGTH) return false;
  if (value.startsWith('[REDACTED')) return false; // already masked: keep redaction idempotent
  const lower = value.toLowerCase();
  if (NON_SECRET_WORDS.has(lower)) return false;
  if (PLACEHOLDER_WORDS.some((w) => lower.includes(w))) return false;
  if (isExampleToken(value)) return false;
  // References and templates: ${VAR}, $(cmd), $VAR, $env:VAR, %VAR%, {{ var }}, %(name)s,
  // <value>, {name}; and YAML tags (`!vault |`).
  if (/^\$(?:\{|\(|[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?$)/.test(value)) return false;
  if (/^(?:\{\{.*\}\}|%\(?\w*\)?[sd]|%\w+%|<[^>]*>|\{[\w.]*\}|![a-z]+|!(?:[A-Z][a-z]+)+(?:\.\w+)?)$/.test(value))
    return false;
  // Two lower-case words (`same-origin`, `read_only`) are a setting, not a secret.
  if (/^[a-z]+[-_ ][a-z]+$/.test(value)) return false;
  if (bare) {
    // Code, not data: member access, calls, indexing, and CamelCase names of types or
    // variables (`GoogleMapsConfig`, `userInput`): every capital starts a word of 2+ letters,
    // which random strings practically never do.
    if (/[([]/.test(value)) return false;
    if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return false;
    if (/^[A-Z]?[a-z]{2,}(?:[A-Z][a-z]{2,})+$/.test(value)) return false;
  }
  const entropy = shannonEntropy(value);
  if (bare && /^[a-z_]+$/.test(value)) return entropy >= ENTROPY_BARE_WORD;
  // An UPPER_SNAKE constant is a reference to another value.
  if (bare && /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return false;
  return characterClasses(value) >= 2 ? entropy >= ENTROPY_MIXED_CLASSES : entropy >= ENTROPY_SINGLE_CLASS;
}

// ---- helpers ---------------------------------------------------------------------------

/**
 * A rule from one regex. When the regex has a named group `secret`, only that group is
 * masked (so `postgres://app:` and `@db` stay readable); otherwise the whole match.
 */
function regexRule(id: string, pattern: RegExp, accept?: (secret: string, m: RegExpExecArray) => boolean): SecretRule {
  const flags = new Set(pattern.flags);
  flags.add('g');
  flags.add('d');
  const re = new RegExp(pattern.source, [...flags].join(''));
  return {
    id,
    find(text) {
      const spans: SecretSpan[] = [];
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        const range = m.indices?.groups?.secret ?? m.indices?.[0];
        if (!range) continue;
        const secret = text.slice(range[0], range[1]);
        if (accept && !accept(secret, m)) {
          // Retry from the next character: a rejected candidate may hide a real one inside.
          re.lastIndex = m.index + 1;
          continue;
        }
        spans.push({ start: range[0], end: range[1], ruleId: id });
      }
      return spans;
    },
  };
}

// ---- PEM private keys ------------------------------------------------------------------

const PEM_BEGIN = /-----BEGIN[ A-Z0-9_-]{0,64}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END[ A-Z0-9_-]{0,64}PRIVATE KEY(?: BLOCK)?-----/g;
/** A key body follows: a base64 line or an encrypted-PEM header, after a real or JSON-escaped newline. */
const PEM_BODY_FOLLOWS = /^(?:\\n|\r?\n)(?:[A-Za-z0-9+/=]{16,}|Proc-Type:|Comment:)/;

/** Longest PEM block searched for its END marker (an 8192-bit RSA key is about 6.5 KiB). */
export const MAX_PEM_CHARS = 64 * 1024;

/** Marks a BEGIN marker; the stream redactor uses it to hold an open block. */
export const PEM_BEGIN_PATTERN = PEM_BEGIN.source;
export const PEM_END_PATTERN = PEM_END.source;

/**
 * What may stand between BEGIN and END: base64, whitespace, JSON-escaped newlines and armour
 * headers (`Proc-Type: 4,ENCRYPTED`, `Version: GnuPG v2`). A header and a footer constant in
 * the source of a PEM parser enclose code (quotes, semicolons) and do not form a block.
 */
const PEM_BLOCK_BODY = /^[A-Za-z0-9+/=\s\\:,.()-]*$/;
const PEM_KEY_MATERIAL = /[A-Za-z0-9+/=]{16}/;

const privateKeyRule: SecretRule = {
  id: 'private-key',
  find(text) {
    const spans: SecretSpan[] = [];
    const begin = new RegExp(PEM_BEGIN.source, 'g');
    const end = new RegExp(PEM_END.source, 'g');
    for (let b = begin.exec(text); b; b = begin.exec(text)) {
      const afterBegin = b.index + b[0].length;
      end.lastIndex = afterBegin;
      const e = end.exec(text);
      const body = e ? text.slice(afterBegin, e.index) : '';
      // Documentation's `-----BEGIN … KEY-----\n...\n-----END … KEY-----` has no key material.
      if (e && e.index - afterBegin <= MAX_PEM_CHARS && PEM_BLOCK_BODY.test(body) && PEM_KEY_MATERIAL.test(body)) {
        spans.push({ start: b.index, end: e.index + e[0].length, ruleId: 'private-key' });
        begin.lastIndex = e.index + e[0].length;
        continue;
      }
      // No END (a truncated file, a `head` of a key): mask the body that follows, up to a
      // blank line — or, in a JSON string, up to its closing quote. A bare marker in code
      // (`startsWith('-----BEGIN RSA PRIVATE KEY-----')`) has no body and is left alone.
      const rest = text.slice(afterBegin, afterBegin + 200);
      if (!PEM_BODY_FOLLOWS.test(rest)) continue;
      let stop: number;
      if (rest.startsWith('\\n')) {
        const q = text.indexOf('"', afterBegin);
        const nl = text.indexOf('\n', afterBegin);
        stop = Math.min(q < 0 ? text.length : q, nl < 0 ? text.length : nl);
      } else {
        const blank = /\r?\n[ \t]*\r?\n/g;
        blank.lastIndex = afterBegin;
        const m = blank.exec(text);
        stop = m ? m.index : text.length;
      }
      spans.push({ start: b.index, end: stop, ruleId: 'private-key' });
      begin.lastIndex = stop;
    }
    return spans;
  },
};

// ---- assignments ------------------------------------------------------------------------

/**
 * `KEY = value`, `"key": "value"`, `key: value`, `--key=value`, `key := value`, `'key' => 'v'`,
 * `?access_token=value&`. The key is prefiltered by a keyword here and judged by
 * `secretKeyKind`; the value by `isLikelySecretValue`.
 */
const QUOTES = `"'\``;
/**
 * Found in two steps for speed (a regex that starts with an identifier is tried at every word
 * of the text): a scan for a keyword followed by an operator, then the key is extended back to
 * the start of its identifier and the value is matched right after the operator.
 */
const KEYWORD_OPERATOR = new RegExp(
  String.raw`(?<rest>(?:pass|pwd|secret|token|key|credential|auth)[A-Za-z0-9_.\-]{0,40}?)` +
    String.raw`["'\]]{0,2}[ \t]*(?::=|=>|=(?![=~>])|:(?![:/]))[ \t]*`,
  'gi',
);
const ASSIGNED_VALUE = new RegExp(
  `(?:(?<q>[${QUOTES}])(?<quoted>[^${QUOTES}\\r\\n]{1,512}?)\\k<q>|(?<bare>[^\\s${QUOTES},;&)}\\]<>]{1,512}))`,
  'y',
);
const MAX_KEY_PREFIX = 60;

function isKeyChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f || // _
    code === 0x2e || // .
    code === 0x2d // -
  );
}

/** Key endings (separators removed, lower-case) that name a secret: `DB_PASSWORD`, `apiKey`. */
const SECRET_KEY_ENDINGS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'privatekeyid',
  'authkey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'accountkey',
  'storagekey',
  'appkey',
  'applicationkey',
  'licensekey',
  'keydata', // kubeconfig's client-key-data
  'credential',
  'credentials',
  'secretkeybase',
];
/** Short words that count only as a whole last segment (`DB_PASS`, not `bypass`). */
const SECRET_KEY_SEGMENTS = new Set(['pass', 'pwd', 'storepass', 'keypass']);
/** Shell variables that merely look like keys. */
const NOT_SECRET_KEYS = new Set(['PWD', 'OLDPWD']);
/** Keys of data, not of locks: `cache-key`, `sort_key`, `primary_key`, `idempotency_key`. */
const NOT_SECRET_KEY_SEGMENTS = new Set([
  'cache',
  'sort',
  'primary',
  'foreign',
  'partition',
  'routing',
  'idempotency',
  'dedup',
  'hash',
  'lookup',
  'map',
  'id',
]);
/** Published on purpose: `STRIPE_PUBLISHABLE_KEY`, `MAPBOX_PUBLIC_TOKEN`, `public_key`. */
const PUBLIC_SEGMENTS = new Set(['public', 'publishable', 'pub']);

/**
 * How a key names a secret: `no`, `yes`, `weak` for a bare `auth` (`auth: oauth2` is a
 * setting; npm's `_auth=<base64>` is a credential), whose value must be at least 12
 * characters, or `random` for any other key ending in `key` (`--key`, `DD_APP_KEY` is `yes`,
 * `sort_key` is not a secret), whose value must look generated (`looksGenerated`).
 */
export function secretKeyKind(key: string): KeyKind {
  let kind = KEY_KINDS.get(key);
  if (kind === undefined) {
    // Logs repeat the same few keys: remember them (bounded, since keys come from the input).
    if (KEY_KINDS.size >= 4096) KEY_KINDS.clear();
    kind = judgeKey(key);
    KEY_KINDS.set(key, kind);
  }
  return kind;
}

type KeyKind = 'no' | 'yes' | 'weak' | 'random';
const KEY_KINDS = new Map<string, KeyKind>();

function judgeKey(key: string): KeyKind {
  const segments = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((s) => s.toLowerCase());
  const flat = segments.join('');
  const last = segments.at(-1) ?? '';
  // The shell's `PWD`/`OLDPWD` (upper case); a lower-case `"pwd"` in JSON is a password.
  if (NOT_SECRET_KEYS.has(key)) return 'no';
  if (segments.some((s) => PUBLIC_SEGMENTS.has(s))) return 'no';
  if (segments.some((s) => NOT_SECRET_KEY_SEGMENTS.has(s)) && !SECRET_KEY_ENDINGS.some((e) => flat.endsWith(e)))
    return 'no';
  if (last === 'auth') return 'weak';
  if (SECRET_KEY_SEGMENTS.has(last)) return 'yes';
  if (SECRET_KEY_ENDINGS.some((e) => flat.endsWith(e))) return 'yes';
  return last === 'key' || last.endsWith('key') ? 'random' : 'no';
}

/**
 * For keys that only may name a secret (`key`, `auth`): the value must look generated — long,
 * high entropy, not a UUID or hash-suffixed name (`node-modules-<sha256>`), not a public key.
 */
export function looksGenerated(value: string, digestsAllowed = false): boolean {
  if (value.length < 16 || !/^[A-Za-z0-9+/=_.:-]+$/.test(value)) return false;
  if (/^\.{0,2}\/[\w.@-]+(?:\/[\w.@-]*)+$/.test(value)) return false; // a path
  // Names with a hash or version in them: `node-modules-<sha256>`, `v1-deps-<sha256>`.
  if (/^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+$/.test(value) && /(?:^|[-_.])[a-z]{3,}(?:[-_.]|$)/.test(value)) return false;
  // Identifiers and digests: a UUID anywhere (`session:<uuid>`), a bare SHA-1/SHA-256/SHA-512.
  if (/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(value)) return false;
  if (!digestsAllowed && /^(?:[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/i.test(value)) return false;
  if (/^(?:pk[._]|ssh-|sha\d+[:-])/i.test(value)) return false;
  return shannonEntropy(value) >= 3.3;
}

/**
 * Judges a value found after a key of the given kind. `yes-random` is a secret-naming key
 * (`authtoken`) whose value still has to look generated because no operator ties it to the key.
 */
function isSecretForKey(
  kind: 'yes' | 'weak' | 'random' | 'yes-random',
  key: string,
  value: string,
  bare: boolean,
): boolean {
  if (!isLikelySecretValue(value, bare)) return false;
  // `PWD=/home/me` is the shell's working directory; `"pwd": "…"` in JSON is a password.
  if (/pwd$/i.test(key) && /^(?:[/~.]|[A-Za-z]:\\)/.test(value)) return false;
  // A git signing key is named by its public key id (as gpg prints it: upper-case hex).
  if (/signing[_.-]?key$/i.test(key) && /^(?:[0-9A-F]{8}|[0-9A-F]{16}|[0-9A-F]{40})$/.test(value)) return false;
  if (kind === 'weak') return value.length >= 12;
  if (kind === 'random') return looksGenerated(value);
  if (kind === 'yes-random') return looksGenerated(value, true);
  return true;
}

/** `|| "fallback"`, `?? 'fallback'`, `or "fallback"`: a literal after a reference in code. */
const FALLBACK_LITERAL = /[ \t]*(?:\|\||\?\?|\bor\b)[ \t]*(?<q>["'`])(?<v>[^"'`\r\n]{1,512})\k<q>/y;
/** `String::from("…")`, `SecretString("…")`: a literal as the first argument of a call. */
const CALL_LITERAL = /(?<q>["'`])(?<v>[^"'`\s]{1,512})\k<q>/y;

const assignmentRule: SecretRule = {
  id: 'generic-secret',
  find(text) {
    const spans: SecretSpan[] = [];
    KEYWORD_OPERATOR.lastIndex = 0;
    for (let m = KEYWORD_OPERATOR.exec(text); m; m = KEYWORD_OPERATOR.exec(text)) {
      let keyStart = m.index;
      while (keyStart > 0 && m.index - keyStart < MAX_KEY_PREFIX && isKeyChar(text.charCodeAt(keyStart - 1)))
        keyStart--;
      if (keyStart > 0 && isKeyChar(text.charCodeAt(keyStart - 1))) continue; // key too long to judge
      if (/public[ \t]+$/i.test(text.slice(Math.max(0, keyStart - 8), keyStart))) continue; // `public key: …`
      ASSIGNED_VALUE.lastIndex = m.index + m[0].length;
      const v = ASSIGNED_VALUE.exec(text);
      if (!v) continue;
      // Whether or not it is a secret, the value is consumed: `${DB_PASSWORD:?missing}` is one value.
      KEYWORD_OPERATOR.lastIndex = v.index + v[0].length;
      const key = text.slice(keyStart, m.index) + (m.groups?.rest ?? '');
      const kind = secretKeyKind(key);
      if (kind === 'no') continue;
      const quoted = v.groups?.quoted;
      const value = quoted ?? v.groups?.bare ?? '';
      if (isSecretForKey(kind, key, value, quoted === undefined)) {
        // The value ends the match; a quoted one also has its closing quote after it.
        const end = v.index + v[0].length - (quoted === undefined ? 0 : 1);
        spans.push({ start: end - value.length, end, ruleId: 'generic-secret' });
        continue;
      }
      if (quoted !== undefined) continue;
      // Code: `process.env.X || "literal"`, `String::from("literal")`.
      const after = v.index + v[0].length;
      const follow = value.endsWith('(') ? CALL_LITERAL : FALLBACK_LITERAL;
      follow.lastIndex = after;
      const f = follow.exec(text);
      const literal = f?.groups?.v;
      // Judged as code (`os.environ.get("API_KEY")` names a variable).
      if (f && literal && kind !== 'weak' && isSecretForKey(kind, key, literal, true)) {
        const end = f.index + f[0].length - 1;
        spans.push({ start: end - literal.length, end, ruleId: 'generic-secret' });
        KEYWORD_OPERATOR.lastIndex = f.index + f[0].length;
      }
    }
    return spans;
  },
};

/**
 * scheme://user:password@host — only the password is masked. The password may contain an
 * unencoded "@", "#" or "?" (people paste them so); the last "@" before the host ends it.
 * Judged like an assignment's value: `user:password@`, `guest:guest@`, `:${REDIS_PASSWORD}@`
 * stay. Found from each "://" (fast to scan for), then the scheme is checked backwards.
 */
const URL_AFTER_SCHEME = /:\/\/[^\s:/?#@"'<>[\]]*:(?<secret>[^\s/"'<>]+)@[^\s/?#@"'<>]*[A-Za-z0-9\]]/dy;
const urlCredentialsRule: SecretRule = {
  id: 'url-credentials',
  find(text) {
    const spans: SecretSpan[] = [];
    for (let i = text.indexOf('://'); i >= 0; i = text.indexOf('://', i + 3)) {
      let start = i;
      while (start > 0 && i - start <= 30 && /[A-Za-z0-9+.-]/.test(text[start - 1] ?? '')) start--;
      if (start === i || !/[A-Za-z]/.test(text[start] ?? '')) continue;
      URL_AFTER_SCHEME.lastIndex = i;
      const m = URL_AFTER_SCHEME.exec(text);
      const range = m?.indices?.groups?.secret;
      if (!m || !range) continue;
      if (isLikelySecretValue(text.slice(range[0], range[1]), false)) {
        spans.push({ start: range[0], end: range[1], ruleId: 'url-credentials' });
      }
      i = Math.max(i, range[1] - 3);
    }
    return spans;
  },
};

// ---- command lines --------------------------------------------------------------------

/** A value in a command line: quoted (the quotes are masked with it) or one word. */
const ARG = String.raw`(?:'[^'\r\n]+'|"[^"\r\n]+"|[^\s'"|;&]+)`;
/** The rest of one command (not past a pipe, `;` or `&&`), bounded so that scanning stays linear. */
const SAME_COMMAND = String.raw`[^\r\n|;&]{0,400}?`;

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

/**
 * A password that a tool's documented flag or position says is one, e.g. `mysql -pXXX` or
 * `sshpass -p XXX`. The place proves what it is, so any value that is not a reference or a
 * placeholder counts, even a weak one.
 */
function toolPassword(pattern: string): SecretRule {
  return regexRule('cli-flag-secret', new RegExp(pattern), (s) => {
    const v = unquote(s);
    return v.length >= 4 && isLikelySecretValue(v.padEnd(GENERIC_MIN_LENGTH, v), false);
  });
}

const TOOL_PASSWORD_RULES: SecretRule[] = [
  // MySQL/MariaDB clients take the password glued to -p (`-p secret` would name a database).
  toolPassword(String.raw`\b(?:mysql\w*|mariadb\w*)\b${SAME_COMMAND}[ \t]-p(?<secret>${ARG})`),
  toolPassword(String.raw`\bsshpass[ \t]+(?:-[a-zA-Z][ \t]+)*-p[ \t]*(?<secret>${ARG})`),
  // `login -p` of container registries and clouds (`docker run -p 8080:80` is a port).
  toolPassword(
    String.raw`\b(?:docker|podman|nerdctl|buildah|skopeo|helm|oc|az|twine)\b${SAME_COMMAND}\b(?:login|upload)\b${SAME_COMMAND}[ \t]-p[ \t]+(?<secret>${ARG})`,
  ),
  toolPassword(String.raw`\bmongo(?:sh|dump|restore|export|import)?\b${SAME_COMMAND}[ \t]-p[ \t]+(?<secret>${ARG})`),
  toolPassword(String.raw`\b(?:useradd|usermod)\b${SAME_COMMAND}[ \t]-p[ \t]+(?<secret>${ARG})`),
  toolPassword(String.raw`\bredis-cli\b${SAME_COMMAND}[ \t]-a[ \t]+(?<secret>${ARG})`),
  toolPassword(String.raw`\b(?:sqlcmd|bcp|osql)\b${SAME_COMMAND}[ \t]-P[ \t]*(?<secret>${ARG})`),
  toolPassword(String.raw`\bldap\w+\b${SAME_COMMAND}[ \t]-w[ \t]+(?<secret>${ARG})`),
  toolPassword(String.raw`\b(?:zip|unzip)\b${SAME_COMMAND}[ \t]-P[ \t]+(?<secret>${ARG})`),
  toolPassword(String.raw`\b7za?\b${SAME_COMMAND}[ \t]-p(?<secret>${ARG})`),
  toolPassword(String.raw`\bsmbclient\b${SAME_COMMAND}[ \t]-U[ \t]+[^\s%]+%(?<secret>${ARG})`),
  // openssl's -passin/-passout/-pass take `pass:<password>` (env:, file: name a source).
  toolPassword(String.raw`-pass(?:in|out)?[ \t]+["']?pass:(?<secret>[^\s'"]+)`),
  // Positional passwords.
  toolPassword(String.raw`\bhtpasswd[ \t]+-\w*b\w*[ \t]+(?:-\S+[ \t]+)*\S+[ \t]+\S+[ \t]+(?<secret>${ARG})`),
  toolPassword(String.raw`\brabbitmqctl[ \t]+(?:add_user|change_password)[ \t]+\S+[ \t]+(?<secret>${ARG})`),
  toolPassword(
    String.raw`\bmc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)[ \t]+\S+[ \t]+\S+[ \t]+\S+[ \t]+(?<secret>${ARG})`,
  ),
  toolPassword(String.raw`\bbundle[ \t]+config[ \t]+(?:set[ \t]+)?(?:--\w+[ \t]+)?\S+[ \t]+[^\s:]+:(?<secret>${ARG})`),
  // A value echoed into a tool that reads a password or token from standard input.
  toolPassword(
    String.raw`\b(?:echo|printf|yes)(?:[ \t]+-[neE]+)*(?:[ \t]+'%s(?:\\n)?')?[ \t]+(?<secret>${ARG})[ \t]*\|[^\r\n|]*?(?:password-stdin|--stdin|chpasswd|sudo[ \t]+(?:-\w+[ \t]+)*-S\b|\blogin\b|secret[ \t]+(?:put|set)|with-token|keytool)`,
  ),
];

/**
 * `.pgpass`: `hostname:port:database:username:password` (a field may be `*`).
 */
const pgpassRule = regexRule(
  'generic-secret',
  /^[ \t]*(?<host>\*|\[[0-9A-Fa-f:]{2,39}\]|[A-Za-z0-9.-]{1,253}):(?:\d{1,5}|\*):[^:\s#]{1,64}:[^:\s]{1,64}:(?<secret>\S+)[ \t]*$/m,
  // A host name has a letter; an IPv4 address has four numbers (not `12:30:45:…` times).
  (s, m) => /^(?:\*|\[|.*[A-Za-z]|\d+\.\d+\.\d+\.\d+$)/.test(m.groups?.host ?? '') && isLikelySecretValue(s, false),
);

/**
 * A secret-named word followed by a value without an operator: `--password value`,
 * `--api-key value`, `set -x DB_PASS value`, `.netrc`'s `password value`, `ngrok authtoken
 * value`, `aws configure set aws_secret_access_key value`. Found like assignments (a keyword
 * scan, then the key extended backwards). Prose passes through: "password authentication
 * failed", "token expired" are lower-case words that do not look random.
 */
const KEYWORD_SPACE = /(?:pass|pwd|secret|token|key|credential|auth)[A-Za-z0-9_.-]{0,40}?[ \t]+(?=[^\s=:])/gi;
const SPACED_VALUE = /(?<q>["'])?(?<v>[^\s"'|;&<>]{6,512})\k<q>(?=$|[\s;&|)])/y;

const keySpaceValueRule: SecretRule = {
  id: 'generic-secret',
  find(text) {
    const spans: SecretSpan[] = [];
    KEYWORD_SPACE.lastIndex = 0;
    for (let m = KEYWORD_SPACE.exec(text); m; m = KEYWORD_SPACE.exec(text)) {
      let keyStart = m.index;
      while (keyStart > 0 && m.index - keyStart < MAX_KEY_PREFIX && isKeyChar(text.charCodeAt(keyStart - 1)))
        keyStart--;
      const before = keyStart > 0 ? text[keyStart - 1] : '';
      if (before && !/[\s"'(]/.test(before)) continue;
      const key = text.slice(keyStart, m.index + m[0].length).trimEnd();
      const kind = secretKeyKind(key);
      if (kind === 'no') continue;
      SPACED_VALUE.lastIndex = m.index + m[0].length;
      const v = SPACED_VALUE.exec(text);
      const value = v?.groups?.v;
      if (!v || !value) continue;
      KEYWORD_SPACE.lastIndex = v.index + v[0].length;
      if (/^--?[a-z][a-z-]*$/.test(value)) continue; // the next flag
      // Without an operator, only a flag (`--token x`) or a password word (.netrc's
      // `password x`) is sure to be followed by its value; after other words (`secret`,
      // `credentials "app.terraform.io"`) the value has to look generated.
      const sure = key.startsWith('-') || /(?:pass|passwd|password|passphrase|pwd)$/i.test(key);
      const judged = kind === 'yes' && !sure ? 'yes-random' : kind;
      if (isSecretForKey(judged, key, value, !v.groups?.q)) {
        const end = v.index + v[0].length - (v.groups?.q ? 1 : 0);
        spans.push({
          start: end - value.length,
          end,
          ruleId: key.startsWith('-') ? 'cli-flag-secret' : 'generic-secret',
        });
      }
    }
    return spans;
  },
};

/**
 * `Authorization: Basic <base64 of user:password>`: documentation's `user:password` is not a
 * secret; anything that does not decode to a readable pair is masked (fail closed).
 */
function isBasicCredential(encoded: string): boolean {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || !/^[\x20-\x7e]+$/.test(decoded)) return true;
  const password = decoded.slice(colon + 1);
  return password.length < GENERIC_MIN_LENGTH || isLikelySecretValue(password, false);
}

/**
 * A Kubernetes (or Compose, Helm) environment entry whose name says secret:
 *   - name: DB_PASSWORD
 *     value: "…"
 */
const K8S_ENV_PAIR = regexRule(
  'generic-secret',
  /^[ \t]*(?:-[ \t]+)?name:[ \t]*["']?(?<key>[A-Za-z_][\w.-]{0,80})["']?[ \t]*\r?\n[ \t]*value:[ \t]*["']?(?<secret>[^\s'"]+)/m,
  (s, m) => secretKeyKind(m.groups?.key ?? '') === 'yes' && isLikelySecretValue(s, false),
);
const k8sEnvPairRule: SecretRule = {
  id: K8S_ENV_PAIR.id,
  find: (text) => (text.includes('value:') ? K8S_ENV_PAIR.find(text) : []),
};

// ---- the rule table --------------------------------------------------------------------

const randomLooking = (min: number) => (s: string) => shannonEntropy(s) >= min;

const providerRules = PROVIDER_TOKENS.map((t): SecretRule => {
  const accept = (secret: string) => !isExampleToken(secret) && (t.accept?.(secret) ?? true);
  return t.hint ? hintedRule(t.id, t.pattern, t.hint, accept) : regexRule(t.id, t.pattern, accept);
});

/** Longest stretch a hinted pattern may have before its hint. */
const HINT_LOOKBACK = 64;

/**
 * A pattern with a fixed `hint` inside: found by scanning for the hint (fast) and trying the
 * pattern only at the few starts before each occurrence, instead of at every word.
 */
function hintedRule(id: string, pattern: RegExp, hint: string, accept: (secret: string) => boolean): SecretRule {
  const re = new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}yd`);
  return {
    id,
    find(text) {
      const spans: SecretSpan[] = [];
      let from = 0;
      for (let h = text.indexOf(hint); h >= 0; h = text.indexOf(hint, h + 1)) {
        for (let start = Math.max(from, h - HINT_LOOKBACK); start <= h; start++) {
          re.lastIndex = start;
          const m = re.exec(text);
          const range = m?.indices?.groups?.secret ?? m?.indices?.[0];
          if (!m || !range || m.index + m[0].length <= h || !accept(text.slice(range[0], range[1]))) continue;
          spans.push({ start: range[0], end: range[1], ruleId: id });
          from = m.index + m[0].length;
          h = Math.max(h, from - 1);
          break;
        }
      }
      return spans;
    },
  };
}

/** All rules, specific before generic (the first rule to claim a span names it). */
export const SECRET_RULES: readonly SecretRule[] = [
  privateKeyRule,
  ...providerRules,
  urlCredentialsRule,
  regexRule(
    'cli-flag-secret',
    // `curl -u user:password`, `curl -su "api:password"` (the `=` forms are assignments).
    /(?<![\w-])(?:-[A-Za-z]*u|--user)[ \t]+["']?[^\s:'"]+:(?!\/\/)(?<secret>[^\s"']+)/,
    (s) => isLikelySecretValue(s, false),
  ),
  ...TOOL_PASSWORD_RULES,
  pgpassRule,
  regexRule(
    'authorization-header',
    /\bauthorization["']?[ \t]*[:=][ \t]*["']?basic[ \t]+(?<secret>[A-Za-z0-9+/]{8,}={0,2})/i,
    isBasicCredential,
  ),
  regexRule(
    'bearer-token',
    /\bbearer[ \t]+(?<secret>[A-Za-z0-9._~+/-]{16,}=*)/i,
    (s) => isLikelySecretValue(s, false) && randomLooking(3.0)(s),
  ),
  assignmentRule,
  keySpaceValueRule,
  k8sEnvPairRule,
  regexRule(
    'generic-secret',
    // XML: <password>value</password>, <apiToken>value</apiToken> (Maven settings.xml and friends).
    /<(?<tag>[\w.-]{0,40}?(?:password|passwd|secret|token|api[_-]?key))>(?<secret>[^<\r\n]{1,512})<\/\k<tag>>/i,
    (s) => isLikelySecretValue(s, false),
  ),
  regexRule(
    'generic-secret',
    // <add key="ClearTextPassword" value="…"/> (NuGet.config, .NET appSettings); ECS's
    // {"name": "DB_PASSWORD", "value": "…"}.
    /\b(?:key|name)["']?[ \t]*[=:][ \t]*["'](?<key>[^"'\r\n]{1,80})["'][ \t]*,?[ \t]+["']?value["']?[ \t]*[=:][ \t]*["'](?<secret>[^"'\r\n]{1,512})["']/i,
    (s, m) => secretKeyKind(m.groups?.key ?? '') === 'yes' && isLikelySecretValue(s, false),
  ),
  regexRule(
    'generic-secret',
    // Python's `auth=("user", "password")` and `HTTPBasicAuth("user", "password")`.
    /(?:\bauth[ \t]*=[ \t]*\(|BasicAuth\()[ \t]*["'][^"'\r\n]+["'][ \t]*,[ \t]*["'](?<secret>[^"'\r\n]+)["']/,
    (s) => isLikelySecretValue(s, false),
  ),
  regexRule(
    'generic-secret',
    // .netrc: `machine host login me password value`.
    /\bmachine[ \t]+\S+(?:[ \t]+(?:login|account)[ \t]+\S+)*[ \t]+password[ \t]+(?<secret>\S+)/,
    (s) => isLikelySecretValue(s, false),
  ),
];

export const SECRET_RULE_IDS = SECRET_RULES.map((r) => r.id);
