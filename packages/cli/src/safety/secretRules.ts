import { isRedacted } from '@codevf/protocol/shared';
import { characterClasses, shannonEntropy } from './entropy';

/**
 * The secret-detection rules of the redactor, in the spirit of gitleaks: provider-specific
 * token formats first (exact, no guessing), then shapes that need judgement (credentials in
 * URLs, bearer tokens, `password=`-style assignments), which pass an entropy and placeholder
 * check. Every rule reports spans of the original text; the redactor merges them.
 *
 * No rule matches across a line break except `private-key` (PEM blocks). The stream redactor
 * relies on that: it releases output line by line and holds only an open PEM block.
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
 * - a value mixing classes needs ≥ 2.5 ("hunter22" = 2.75, "Summer2024!" = 3.10 go; "abc1" is
 *   too short, and "pepper10" = 2.16 stays — the price of leaving placeholders alone);
 * - an unquoted lower-case word (a variable in code: `password = credentials`) needs ≥ 3.5,
 *   i.e. it has to look random; unquoted CamelCase names (`token: TokenResponse`,
 *   `password = userInput`) and UPPER_SNAKE constants are never secrets.
 * Why so low: the key already says "this is a password", so a masked non-secret costs little,
 * while a leaked weak password costs a lot. Placeholders are caught by words, not entropy.
 */
export const GENERIC_MIN_LENGTH = 6;
export const ENTROPY_SINGLE_CLASS = 3.0;
export const ENTROPY_MIXED_CLASSES = 2.5;
export const ENTROPY_BARE_WORD = 3.5;

/** Substrings that mark a documentation placeholder or a variable name, not a secret. */
const PLACEHOLDER_WORDS = [
  'password',
  'passwd',
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
  if (isRedacted(value)) return false; // already masked: keep redaction idempotent
  const lower = value.toLowerCase();
  if (NON_SECRET_WORDS.has(lower)) return false;
  if (PLACEHOLDER_WORDS.some((w) => lower.includes(w))) return false;
  // References and templates: ${VAR}, $(cmd), $VAR, {{ var }}, %(name)s, <value>, {name}
  if (/^\$(?:\{|\(|[A-Za-z_][A-Za-z0-9_]*$)/.test(value)) return false;
  if (/^(?:\{\{.*\}\}|%\(?\w*\)?[sd]|<[^>]*>|\{[\w.]*\})$/.test(value)) return false;
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
      if (e && e.index - afterBegin <= MAX_PEM_CHARS && PEM_BLOCK_BODY.test(text.slice(afterBegin, e.index))) {
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
  'authkey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'accountkey',
  'credential',
  'credentials',
  'secretkeybase',
];
/** Short words that count only as a whole last segment (`DB_PASS`, not `bypass`). */
const SECRET_KEY_SEGMENTS = new Set(['pass', 'pwd']);
/** Shell variables that merely look like keys. */
const NOT_SECRET_KEYS = new Set(['pwd', 'oldpwd']);

/**
 * How a key names a secret: `no`, `yes`, or `weak` for a bare `auth` (`auth: oauth2` is a
 * setting; npm's `_auth=<base64>` is a credential), whose value must be at least 12 characters.
 */
export function secretKeyKind(key: string): 'no' | 'yes' | 'weak' {
  const segments = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((s) => s.toLowerCase());
  const flat = segments.join('');
  const last = segments.at(-1) ?? '';
  if (NOT_SECRET_KEYS.has(flat)) return 'no';
  if (last === 'auth') return 'weak';
  if (SECRET_KEY_SEGMENTS.has(last)) return 'yes';
  return SECRET_KEY_ENDINGS.some((e) => flat.endsWith(e)) ? 'yes' : 'no';
}

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
      ASSIGNED_VALUE.lastIndex = m.index + m[0].length;
      const v = ASSIGNED_VALUE.exec(text);
      if (!v) continue;
      // Whether or not it is a secret, the value is consumed: `${DB_PASSWORD:?missing}` is one value.
      KEYWORD_OPERATOR.lastIndex = v.index + v[0].length;
      const kind = secretKeyKind(text.slice(keyStart, m.index) + (m.groups?.rest ?? ''));
      if (kind === 'no') continue;
      const quoted = v.groups?.quoted;
      const value = quoted ?? v.groups?.bare ?? '';
      if ((kind === 'yes' || value.length >= 12) && isLikelySecretValue(value, quoted === undefined)) {
        // The value ends the match; a quoted one also has its closing quote after it.
        const end = v.index + v[0].length - (quoted === undefined ? 0 : 1);
        spans.push({ start: end - value.length, end, ruleId: 'generic-secret' });
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

// ---- the rule table --------------------------------------------------------------------

const randomLooking = (min: number) => (s: string) => shannonEntropy(s) >= min;

/** All rules, specific before generic (the first rule to claim a span names it). */
export const SECRET_RULES: readonly SecretRule[] = [
  privateKeyRule,
  regexRule('aws-access-key-id', /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/),
  regexRule(
    'aws-secret-access-key',
    /(?<![A-Za-z0-9])(?:aws[_.-]?)?secret[_.-]?access[_.-]?key["']?[ \t]*[:=][ \t]*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/i,
  ),
  regexRule('github-token', /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b/),
  regexRule('github-fine-grained-pat', /\bgithub_pat_[A-Za-z0-9_]{50,255}\b/),
  regexRule('gitlab-token', /\bgl(?:pat|dt|ptt|rt|soat|cbt|ffct|oas|imt)-[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/),
  regexRule(
    'slack-token',
    /\b(?:xox[abposr]-\d+-[A-Za-z0-9-]{6,}|xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{20,}|xapp-\d-[A-Z0-9]+-\d+-[A-Za-z0-9]+)/,
  ),
  regexRule(
    'slack-webhook',
    /https?:\/\/hooks\.slack\.com\/(?<secret>(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,})/,
  ),
  regexRule('stripe-key', /\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}\b/),
  regexRule('stripe-webhook-secret', /\bwhsec_[A-Za-z0-9+/=]{24,}/),
  regexRule('google-api-key', /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/),
  regexRule('google-oauth-secret', /\bGOCSPX-[A-Za-z0-9_-]{24,}/),
  regexRule('anthropic-api-key', /\bsk-ant-[A-Za-z0-9_-]{20,}/),
  regexRule(
    'openai-api-key',
    /\bsk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/,
    // Only random-looking tails: `sk-learn-compatible-layer` is a name, not a key.
    (key) => {
      const tail = key.replace(/^sk-(?:proj-|svcacct-|admin-|None-)?/, '');
      return /\d/.test(tail) && /[A-Za-z]/.test(tail) && shannonEntropy(tail) >= 3.5;
    },
  ),
  regexRule('npm-token', /\bnpm_[A-Za-z0-9]{36}\b/),
  regexRule('pypi-token', /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/),
  regexRule('sendgrid-api-key', /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/),
  regexRule('huggingface-token', /\bhf_[A-Za-z]{34}\b/),
  regexRule('digitalocean-token', /\bdo[opr]_v1_[a-f0-9]{64}\b/),
  regexRule('jwt', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/),
  urlCredentialsRule,
  regexRule(
    'cli-flag-secret',
    // `--password value`, `--token value`, `curl -u user:password` (the `=` forms are assignments).
    /(?<![\w-])(?:--?[A-Za-z0-9-]*(?:password|passwd|token|secret|api-?key)[ \t]+|(?:-u|--user)[ \t]+[^\s:'"]+:)["']?(?<secret>[^\s"']+)/i,
    (s) => isLikelySecretValue(s, false),
  ),
  regexRule(
    'authorization-header',
    /\bauthorization["']?[ \t]*[:=][ \t]*["']?basic[ \t]+(?<secret>[A-Za-z0-9+/]{8,}={0,2})/i,
  ),
  regexRule(
    'bearer-token',
    /\bbearer[ \t]+(?<secret>[A-Za-z0-9._~+/-]{16,}=*)/i,
    (s) => isLikelySecretValue(s, false) && randomLooking(3.0)(s),
  ),
  assignmentRule,
  regexRule(
    'generic-secret',
    // XML: <password>value</password>, <apiToken>value</apiToken> (Maven settings.xml and friends).
    /<(?<tag>[\w.-]{0,40}?(?:password|passwd|secret|token|api[_-]?key))>(?<secret>[^<\r\n]{1,512})<\/\k<tag>>/i,
    (s) => isLikelySecretValue(s, false),
  ),
  regexRule(
    'generic-secret',
    // <add key="ClearTextPassword" value="…"/> (NuGet.config, .NET appSettings).
    /\bkey=["'](?<key>[^"'\r\n]{1,80})["'][ \t]+value=["'](?<secret>[^"'\r\n]{1,512})["']/i,
    (s, m) => secretKeyKind(m.groups?.key ?? '') === 'yes' && isLikelySecretValue(s, false),
  ),
  regexRule(
    'generic-secret',
    // .netrc: `machine host login me password value`.
    /\bmachine[ \t]+\S+(?:[ \t]+(?:login|account)[ \t]+\S+)*[ \t]+password[ \t]+(?<secret>\S+)/,
    (s) => isLikelySecretValue(s, false),
  ),
];

export const SECRET_RULE_IDS = SECRET_RULES.map((r) => r.id);
