import { isRedacted } from '@codevf/protocol/shared';
import { characterClasses, shannonEntropy } from './entropy';

/**
 * Whether a value is a secret, judged from the value itself and the key that names it: the
 * judgement half of the redactor's rules (secretRules.ts, commandLineRules.ts).
 */

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
  if (isRedacted(value)) return false; // already masked: keep redaction idempotent
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

// ---- keys ------------------------------------------------------------------------------

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

export type KeyKind = 'no' | 'yes' | 'weak' | 'random';
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
export function isSecretForKey(
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
