import { keySpaceValueRule, TOOL_PASSWORD_RULES } from './commandLineRules';
import { shannonEntropy } from './entropy';
import { PROVIDER_TOKENS } from './providerTokens';
import {
  forEachLineWindow,
  isKeyChar,
  KEY_KEYWORD_PATTERN,
  KEY_KEYWORDS,
  type KeywordRule,
  KeywordScan,
  keyStartBefore,
  prefixRule,
  regexRule,
  type SecretRule,
  type SecretSpan,
  type TextRule,
} from './secretRule';
import { GENERIC_MIN_LENGTH, isExampleToken, isLikelySecretValue, isSecretForKey, secretKeyKind } from './secretValue';

/**
 * The secret-detection rules of the redactor, in the spirit of gitleaks: provider-specific
 * token formats first (exact, no guessing), then shapes that need judgement (credentials in
 * URLs, bearer tokens, `password=`-style assignments), which pass an entropy and placeholder
 * check. Every rule reports spans of the original text; the redactor merges them. The rule
 * table is here; service token formats are in providerTokens.ts, command-line shapes in
 * commandLineRules.ts, and the judgement of values and keys in secretValue.ts.
 *
 * No rule matches across a line break except `private-key` (PEM blocks) and the Kubernetes
 * `name:` / `value:` pair, whose value line is judged by the line before it. The stream
 * redactor relies on that: it releases output line by line, holds only an open PEM block, and
 * scans each release together with the line released before it.
 *
 * Most rules name keywords (secretRule.ts): fixed strings every match contains, by which the
 * redactor finds where to run them.
 */

export type { SecretRule, SecretSpan } from './secretRule';
export {
  ENTROPY_BARE_WORD,
  ENTROPY_MIXED_CLASSES,
  ENTROPY_SINGLE_CLASS,
  GENERIC_MIN_LENGTH,
  isExampleToken,
  isLikelySecretValue,
  looksGenerated,
  secretKeyKind,
} from './secretValue';

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

const PEM_BEGIN_AT = new RegExp(PEM_BEGIN.source, 'y');
const PEM_END_ONCE = new RegExp(PEM_END.source);

const privateKeyRule: KeywordRule = {
  id: 'private-key',
  keywords: { words: ['-----BEGIN'], ignoreCase: false },
  findAt(text, starts) {
    const spans: SecretSpan[] = [];
    const scan = new KeywordScan(text, PEM_BEGIN_AT);
    for (const at of starts) {
      const b = scan.at(at);
      if (!b) continue;
      const afterBegin = b.index + b[0].length;
      // The END marker is looked for only as far as a block may reach (not to the end of the text).
      const e = PEM_END_ONCE.exec(text.slice(afterBegin, afterBegin + MAX_PEM_CHARS + 128));
      const body = e ? text.slice(afterBegin, afterBegin + e.index) : '';
      // Documentation's `-----BEGIN … KEY-----\n...\n-----END … KEY-----` has no key material.
      if (e && e.index <= MAX_PEM_CHARS && PEM_BLOCK_BODY.test(body) && PEM_KEY_MATERIAL.test(body)) {
        const blockEnd = afterBegin + e.index + e[0].length;
        spans.push({ start: b.index, end: blockEnd, ruleId: 'private-key' });
        scan.consumedTo(blockEnd);
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
      scan.consumedTo(stop);
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
 * of the text): from each keyword the redactor's scan found, the keyword and what follows it up
 * to an operator; then the key is extended back to the start of its identifier and the value
 * is matched right after the operator.
 */
const KEYWORD_OPERATOR = new RegExp(
  String.raw`(?<rest>${KEY_KEYWORD_PATTERN}[A-Za-z0-9_.\-]{0,40}?)` +
    String.raw`["'\]]{0,2}[ \t]*(?::=|=>|=(?![=~>])|:(?![:/]))[ \t]*`,
  'iy',
);
const ASSIGNED_VALUE = new RegExp(
  `(?:(?<q>[${QUOTES}])(?<quoted>[^${QUOTES}\\r\\n]{1,512}?)\\k<q>|(?<bare>[^\\s${QUOTES},;&)}\\]<>]{1,512}))`,
  'y',
);
/** `|| "fallback"`, `?? 'fallback'`, `or "fallback"`: a literal after a reference in code. */
const FALLBACK_LITERAL = /[ \t]*(?:\|\||\?\?|\bor\b)[ \t]*(?<q>["'`])(?<v>[^"'`\r\n]{1,512})\k<q>/y;
/** `String::from("…")`, `SecretString("…")`: a literal as the first argument of a call. */
const CALL_LITERAL = /(?<q>["'`])(?<v>[^"'`\s]{1,512})\k<q>/y;

const assignmentRule: KeywordRule = {
  id: 'generic-secret',
  keywords: KEY_KEYWORDS,
  findAt(text, starts) {
    const spans: SecretSpan[] = [];
    const scan = new KeywordScan(text, KEYWORD_OPERATOR);
    for (const at of starts) {
      const m = scan.at(at);
      if (!m) continue;
      const keyStart = keyStartBefore(text, m.index);
      if (keyStart > 0 && isKeyChar(text.charCodeAt(keyStart - 1))) continue; // key too long to judge
      // `public key: …`; the blank before the key is checked first to spare a slice per match.
      const blank = text.charCodeAt(keyStart - 1);
      if ((blank === 32 || blank === 9) && /public[ \t]+$/i.test(text.slice(Math.max(0, keyStart - 8), keyStart)))
        continue;
      ASSIGNED_VALUE.lastIndex = m.index + m[0].length;
      const v = ASSIGNED_VALUE.exec(text);
      if (!v) continue;
      // Whether or not it is a secret, the value is consumed: `${DB_PASSWORD:?missing}` is one value.
      scan.consumedTo(v.index + v[0].length);
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
        scan.consumedTo(f.index + f[0].length);
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
const urlCredentialsRule: KeywordRule = {
  id: 'url-credentials',
  keywords: { words: ['://'], ignoreCase: false },
  findAt(text, starts) {
    const spans: SecretSpan[] = [];
    let next = 0;
    for (const i of starts) {
      if (i < next || !text.startsWith('://', i)) continue;
      next = i + 3;
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
      next = Math.max(next, range[1]);
    }
    return spans;
  },
};

/**
 * `.pgpass`: `hostname:port:database:username:password` (a field may be `*`). Its one fixed
 * character, `:`, is in every timestamp; so the lines tried are those where a scan for the
 * port and the fields after it (`:5432:app:app:s`) stops.
 */
const PGPASS_LINE = regexRule(
  'generic-secret',
  /^[ \t]*(?<host>\*|\[[0-9A-Fa-f:]{2,39}\]|[A-Za-z0-9.-]{1,253}):(?:\d{1,5}|\*):[^:\s#]{1,64}:[^:\s]{1,64}:(?<secret>\S+)[ \t]*$/m,
  // A host name has a letter; an IPv4 address has four numbers (not `12:30:45:…` times).
  (s, m) => /^(?:\*|\[|.*[A-Za-z]|\d+\.\d+\.\d+\.\d+$)/.test(m.groups?.host ?? '') && isLikelySecretValue(s, false),
);
const PGPASS_FIELDS = /:(?:\d{1,5}|\*):[^:\s#]{1,64}:[^:\s]{1,64}:\S/g;
const pgpassRule: TextRule = {
  id: PGPASS_LINE.id,
  find(text) {
    const spans: SecretSpan[] = [];
    PGPASS_FIELDS.lastIndex = 0;
    for (let m = PGPASS_FIELDS.exec(text); m; m = PGPASS_FIELDS.exec(text)) {
      const start = text.lastIndexOf('\n', m.index) + 1;
      const newline = text.indexOf('\n', m.index);
      const end = newline < 0 ? text.length : newline;
      for (const s of PGPASS_LINE.find(text.slice(start, end))) {
        spans.push({ start: s.start + start, end: s.end + start, ruleId: s.ruleId });
      }
      PGPASS_FIELDS.lastIndex = end;
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
const k8sEnvPairRule: KeywordRule = {
  id: K8S_ENV_PAIR.id,
  keywords: { words: ['value:'], ignoreCase: false },
  findAt(text, starts) {
    const spans: SecretSpan[] = [];
    // Each `value:` line with the line before it, where its `name:` is.
    forEachLineWindow(text, starts, 1, (start, end) => {
      for (const s of K8S_ENV_PAIR.find(text.slice(start, end))) {
        spans.push({ start: s.start + start, end: s.end + start, ruleId: s.ruleId });
      }
    });
    return spans;
  },
};

// ---- the rule table --------------------------------------------------------------------

const randomLooking = (min: number) => (s: string) => shannonEntropy(s) >= min;

const providerRules = PROVIDER_TOKENS.map((t): SecretRule => {
  const accept = (secret: string) => !isExampleToken(secret) && (t.accept?.(secret) ?? true);
  return regexRule(t.id, t.pattern, accept, t.keywords);
});

/** All rules, specific before generic (the first rule to claim a span names it). */
export const SECRET_RULES: readonly SecretRule[] = [
  privateKeyRule,
  ...providerRules,
  urlCredentialsRule,
  regexRule(
    'cli-flag-secret',
    // `curl -u user:password`, `curl -su "api:password"` (the `=` forms are assignments). The
    // dash comes before the look-behind, so that a long line is scanned from dash to dash.
    /-(?<![\w-]-)(?:[A-Za-z]*u|-user)[ \t]+["']?[^\s:'"]+:(?!\/\/)(?<secret>[^\s"']+)/,
    (s) => isLikelySecretValue(s, false),
    ['u ', 'u\t', '-user'],
  ),
  ...TOOL_PASSWORD_RULES,
  pgpassRule,
  regexRule(
    'authorization-header',
    /\bauthorization["']?[ \t]*[:=][ \t]*["']?basic[ \t]+(?<secret>[A-Za-z0-9+/]{8,}={0,2})/i,
    isBasicCredential,
    ['basic'],
  ),
  regexRule(
    'bearer-token',
    /\bbearer[ \t]+(?<secret>[A-Za-z0-9._~+/-]{16,}=*)/i,
    (s) => isLikelySecretValue(s, false) && randomLooking(3.0)(s),
    ['bearer'],
  ),
  assignmentRule,
  keySpaceValueRule,
  k8sEnvPairRule,
  regexRule(
    'generic-secret',
    // XML: <password>value</password>, <apiToken>value</apiToken> (Maven settings.xml and friends).
    /<(?<tag>[\w.-]{0,40}?(?:password|passwd|secret|token|api[_-]?key))>(?<secret>[^<\r\n]{1,512})<\/\k<tag>>/i,
    (s) => isLikelySecretValue(s, false),
    ['</'],
  ),
  regexRule(
    'generic-secret',
    // <add key="ClearTextPassword" value="…"/> (NuGet.config, .NET appSettings); ECS's
    // {"name": "DB_PASSWORD", "value": "…"}.
    /\b(?:key|name)["']?[ \t]*[=:][ \t]*["'](?<key>[^"'\r\n]{1,80})["'][ \t]*,?[ \t]+["']?value["']?[ \t]*[=:][ \t]*["'](?<secret>[^"'\r\n]{1,512})["']/i,
    (s, m) => secretKeyKind(m.groups?.key ?? '') === 'yes' && isLikelySecretValue(s, false),
    ['value'],
  ),
  prefixRule(
    'generic-secret',
    // Python's `auth=("user", "password")` and `HTTPBasicAuth("user", "password")`.
    /(?:\bauth[ \t]*=[ \t]*\(|(?<=Basic)Auth\()[ \t]*["'][^"'\r\n]+["'][ \t]*,[ \t]*["'](?<secret>[^"'\r\n]+)["']/,
    ['auth', 'Auth('],
    (s) => isLikelySecretValue(s, false),
  ),
  regexRule(
    'generic-secret',
    // .netrc: `machine host login me password value`.
    /\bmachine[ \t]+\S+(?:[ \t]+(?:login|account)[ \t]+\S+)*[ \t]+password[ \t]+(?<secret>\S+)/,
    (s) => isLikelySecretValue(s, false),
    ['machine'],
  ),
];

export const SECRET_RULE_IDS = SECRET_RULES.map((r) => r.id);
