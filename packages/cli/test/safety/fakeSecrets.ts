/**
 * Synthetic secrets for tests and the redaction benchmark, from a seeded generator: each has
 * the shape of a real credential but is random, so none is valid anywhere. They are generated
 * at run time rather than written into fixtures so that no secret scanner (push protection,
 * gitleaks in CI) flags this repository.
 */

export type Random = () => number;

/** mulberry32: tiny, fast, deterministic. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const HEX = '0123456789abcdef';
const BASE32 = `${UPPER}234567`;

export function pick<T>(rnd: Random, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)] as T;
}

export function randomString(rnd: Random, alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}

function int(rnd: Random, min: number, max: number): number {
  return min + Math.floor(rnd() * (max - min + 1));
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function pemBody(rnd: Random, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(randomString(rnd, B64, 64));
  out.push(`${randomString(rnd, B64, int(rnd, 8, 60))}==`);
  return out.join('\n');
}

/** Generators of positive samples: each returns one fake secret. */
export const SECRET_GENERATORS: Record<string, (rnd: Random) => string> = {
  aws_access_key_id: (r) => pick(r, ['AKIA', 'ASIA']) + randomString(r, BASE32, 16),
  aws_secret_access_key: (r) => randomString(r, B64, 40),
  github_token: (r) => `${pick(r, ['ghp', 'gho', 'ghu', 'ghs', 'ghr'])}_${randomString(r, ALNUM, 36)}`,
  github_fine_grained_pat: (r) => `github_pat_${randomString(r, ALNUM, 22)}_${randomString(r, ALNUM, 59)}`,
  gitlab_pat: (r) => `glpat-${randomString(r, `${ALNUM}_-`, 20)}`,
  slack_bot_token: (r) =>
    `xoxb-${randomString(r, DIGITS, 12)}-${randomString(r, DIGITS, 13)}-${randomString(r, ALNUM, 24)}`,
  slack_user_token: (r) =>
    `xoxp-${randomString(r, DIGITS, 12)}-${randomString(r, DIGITS, 12)}-${randomString(r, DIGITS, 13)}-${randomString(r, HEX, 32)}`,
  slack_webhook_path: (r) =>
    `T${randomString(r, UPPER + DIGITS, 8)}/B${randomString(r, UPPER + DIGITS, 10)}/${randomString(r, ALNUM, 24)}`,
  stripe_secret_key: (r) => `${pick(r, ['sk_live_', 'rk_live_', 'sk_test_'])}${randomString(r, ALNUM, int(r, 24, 99))}`,
  stripe_webhook_secret: (r) => `whsec_${randomString(r, ALNUM, 32)}`,
  google_api_key: (r) => `AIza${randomString(r, `${ALNUM}_-`, 35)}`,
  google_oauth_secret: (r) => `GOCSPX-${randomString(r, `${ALNUM}_-`, 28)}`,
  openai_api_key: (r) =>
    r() < 0.5
      ? `sk-proj-${randomString(r, `${ALNUM}_-`, 74)}T3BlbkFJ${randomString(r, `${ALNUM}_-`, 74)}`
      : `sk-${randomString(r, ALNUM, 20)}T3BlbkFJ${randomString(r, ALNUM, 20)}`,
  anthropic_api_key: (r) => `sk-ant-api03-${randomString(r, `${ALNUM}_-`, 93)}AA`,
  npm_token: (r) => `npm_${randomString(r, ALNUM, 36)}`,
  sendgrid_api_key: (r) => `SG.${randomString(r, `${ALNUM}_-`, 22)}.${randomString(r, `${ALNUM}_-`, 43)}`,
  huggingface_token: (r) => `hf_${randomString(r, UPPER + LOWER, 34)}`,
  jwt: (r) => {
    const header = base64url(JSON.stringify({ alg: pick(r, ['HS256', 'RS256']), typ: 'JWT' }));
    const payload = base64url(
      JSON.stringify({ sub: randomString(r, DIGITS, 8), name: 'Test User', iat: 1700000000 + int(r, 0, 9e7) }),
    );
    return `${header}.${payload}.${randomString(r, B64URL, 43)}`;
  },
  rsa_private_key: (r) =>
    `-----BEGIN RSA PRIVATE KEY-----\n${pemBody(r, int(r, 12, 25))}\n-----END RSA PRIVATE KEY-----`,
  openssh_private_key: (r) =>
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${pemBody(r, int(r, 5, 8))}\n-----END OPENSSH PRIVATE KEY-----`,
  pkcs8_private_key: (r) => `-----BEGIN PRIVATE KEY-----\n${pemBody(r, int(r, 4, 16))}\n-----END PRIVATE KEY-----`,
  ec_private_key: (r) => `-----BEGIN EC PRIVATE KEY-----\n${pemBody(r, 3)}\n-----END EC PRIVATE KEY-----`,
  /** A password as people choose them: a word, digits, maybe a symbol. */
  human_password: (r) =>
    `${pick(r, ['Maple', 'river', 'Falcon', 'orange', 'Winter', 'tiger', 'Summer', 'Kodiak', 'pepper', 'Nimbus'])}${pick(r, ['', '_', '.', '#'])}${int(r, 10, 9999)}${pick(r, ['', '!', '$', '?', '*'])}`,
  /** A password from a generator. */
  random_password: (r) => randomString(r, `${ALNUM}!#%^*-_@`, int(r, 12, 24)),
  /** An opaque API token or signing secret: hex or base64. */
  random_token: (r) => (r() < 0.5 ? randomString(r, HEX, pick(r, [32, 40, 64])) : randomString(r, B64, int(r, 24, 48))),
  azure_storage_key: (r) => `${randomString(r, B64, 86)}==`,
  url_password: (r) => randomString(r, `${ALNUM}-_.~`, int(r, 10, 24)),
  basic_auth: (r) =>
    Buffer.from(`${pick(r, ['admin', 'deploy', 'ci'])}:${randomString(r, ALNUM, 16)}`).toString('base64'),
};

/** Generators of look-alike values that are not secrets. */
export const NOISE_GENERATORS: Record<string, (rnd: Random) => string> = {
  git_sha: (r) => randomString(r, HEX, 40),
  short_sha: (r) => randomString(r, HEX, 7),
  uuid: (r) =>
    `${randomString(r, HEX, 8)}-${randomString(r, HEX, 4)}-4${randomString(r, HEX, 3)}-${pick(r, ['8', '9', 'a', 'b'])}${randomString(r, HEX, 3)}-${randomString(r, HEX, 12)}`,
  sha256: (r) => randomString(r, HEX, 64),
  sha512_integrity: (r) => `sha512-${randomString(r, B64, 86)}==`,
  sha1_integrity: (r) => `sha1-${randomString(r, B64, 27)}=`,
  base64_blob: (r) => `${randomString(r, B64, 4 * int(r, 20, 60))}`,
  md5: (r) => randomString(r, HEX, 32),
  port: (r) => String(int(r, 1024, 65535)),
  int: (r) => String(int(r, 0, 100000)),
  ms: (r) => String(int(r, 1, 5000)),
  ip: (r) => `10.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`,
  semver: (r) => `${int(r, 0, 20)}.${int(r, 0, 40)}.${int(r, 0, 30)}`,
  timestamp: (r) =>
    new Date(Date.UTC(2024, int(r, 0, 11), int(r, 1, 28), int(r, 0, 23), int(r, 0, 59), int(r, 0, 59))).toISOString(),
  word: (r) =>
    pick(r, ['alpha', 'build', 'cache', 'deploy', 'engine', 'fetch', 'gateway', 'handler', 'index', 'worker']),
};

export const ALL_GENERATORS: Record<string, (rnd: Random) => string> = { ...SECRET_GENERATORS, ...NOISE_GENERATORS };
