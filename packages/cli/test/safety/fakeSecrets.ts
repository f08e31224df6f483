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
  // ---- issue 19: CodeVF's own tokens and more providers (formats as their docs describe them)
  codevf_access_token: (r) => `cvf_at_${randomString(r, B64URL, 43)}`,
  codevf_refresh_token: (r) => `cvf_rt_${randomString(r, B64URL, 43)}`,
  codevf_device_code: (r) => `cvf_dc_${randomString(r, B64URL, 43)}`,
  twilio_api_key: (r) => `SK${randomString(r, HEX, 32)}`,
  secret_hex32: (r) => randomString(r, HEX, 32),
  secret_hex40: (r) => randomString(r, HEX, 40),
  mailgun_key: (r) => `key-${randomString(r, HEX, 32)}`,
  mailchimp_key: (r) => `${randomString(r, HEX, 32)}-us${int(r, 1, 21)}`,
  docker_pat: (r) => `dckr_pat_${randomString(r, B64URL, 27)}`,
  shopify_token: (r) => `${pick(r, ['shpat_', 'shpca_', 'shppa_', 'shpss_'])}${randomString(r, HEX, 32)}`,
  atlassian_token: (r) => `ATATT3xFfGF0${randomString(r, B64URL, 170)}=${randomString(r, HEX.toUpperCase(), 8)}`,
  digitalocean_token: (r) => `${pick(r, ['dop', 'doo', 'dor'])}_v1_${randomString(r, HEX, 64)}`,
  heroku_key: (r) => `HRKU-AA${randomString(r, B64URL, 58)}`,
  uuid_secret: (r) =>
    `${randomString(r, HEX, 8)}-${randomString(r, HEX, 4)}-4${randomString(r, HEX, 3)}-${pick(r, ['8', '9', 'a', 'b'])}${randomString(r, HEX, 3)}-${randomString(r, HEX, 12)}`,
  azure_sas_signature: (r) => encodeURIComponent(`${randomString(r, B64, 43)}=`),
  newrelic_key: (r) => `NRAK-${randomString(r, UPPER + DIGITS, 27)}`,
  newrelic_license_key: (r) => `${randomString(r, HEX, 36)}NRAL`,
  sentry_auth_token: (r) => (r() < 0.5 ? `sntrys_${randomString(r, B64, 100)}` : `sntryu_${randomString(r, HEX, 64)}`),
  discord_bot_token: (r) =>
    `${pick(r, ['M', 'N', 'O'])}${randomString(r, ALNUM, 25)}.${randomString(r, B64URL, 6)}.${randomString(r, B64URL, 38)}`,
  discord_webhook_path: (r) => `${randomString(r, DIGITS, 18)}/${randomString(r, B64URL, 68)}`,
  telegram_bot_token: (r) => `${randomString(r, DIGITS, 10)}:AA${randomString(r, B64URL, 33)}`,
  square_token: (r) => (r() < 0.5 ? `sq0atp-${randomString(r, B64URL, 22)}` : `EAAA${randomString(r, B64URL, 60)}`),
  square_secret: (r) => `sq0csp-${randomString(r, B64URL, 43)}`,
  linear_key: (r) => `lin_api_${randomString(r, ALNUM, 40)}`,
  notion_token: (r) =>
    r() < 0.5
      ? `secret_${randomString(r, ALNUM, 43)}`
      : `ntn_${randomString(r, DIGITS, 11)}${randomString(r, ALNUM, 35)}`,
  vault_token: (r) => `hvs.${randomString(r, B64URL, 90)}`,
  terraform_token: (r) => `${randomString(r, ALNUM, 14)}.atlasv1.${randomString(r, ALNUM, 67)}`,
  postman_key: (r) => `PMAK-${randomString(r, HEX, 24)}-${randomString(r, HEX, 34)}`,
  doppler_token: (r) => `dp.${pick(r, ['pt', 'st', 'sa', 'ct'])}.${randomString(r, ALNUM, 43)}`,
  cloudflare_token: (r) => randomString(r, `${ALNUM}_-`, 40),
  cloudflare_global_key: (r) => randomString(r, HEX, 37),
  supabase_token: (r) => (r() < 0.5 ? `sbp_${randomString(r, HEX, 40)}` : `sb_secret_${randomString(r, B64URL, 32)}`),
  fcm_server_key: (r) => `AAAA${randomString(r, B64URL, 7)}:APA91b${randomString(r, B64URL, 134)}`,
  okta_token: (r) => `00${randomString(r, B64URL, 40)}`,
  grafana_token: (r) =>
    r() < 0.5 ? `glsa_${randomString(r, ALNUM, 32)}_${randomString(r, HEX, 8)}` : `glc_${randomString(r, B64, 80)}`,
  databricks_token: (r) => `dapi${randomString(r, HEX, 32)}`,
  age_secret_key: (r) => `AGE-SECRET-KEY-1${randomString(r, 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`,
  pypi_token: (r) => `pypi-AgEIcHlwaS5vcmc${randomString(r, B64URL, 70)}`,
  mapbox_secret: (r) => `sk.eyJ1Ijoi${randomString(r, B64URL, 40)}.${randomString(r, B64URL, 22)}`,
  airtable_pat: (r) => `pat${randomString(r, ALNUM, 14)}.${randomString(r, HEX, 64)}`,
  pulumi_token: (r) => `pul-${randomString(r, HEX, 40)}`,
  planetscale_token: (r) => `${pick(r, ['pscale_tkn_', 'pscale_pw_'])}${randomString(r, B64URL, 43)}`,
  alibaba_key_id: (r) => `LTAI${randomString(r, ALNUM, 20)}`,
  groq_key: (r) => `gsk_${randomString(r, ALNUM, 52)}`,
  replicate_token: (r) => `r8_${randomString(r, ALNUM, 37)}`,
  figma_token: (r) => `figd_${randomString(r, B64URL, 40)}`,
  buildkite_token: (r) => `bkua_${randomString(r, HEX, 40)}`,
  dropbox_token: (r) => `sl.${randomString(r, B64URL, 135)}`,
  gitlab_runner_token: (r) => `glrt-${randomString(r, B64URL, 20)}`,
  base64_key: (r) => `${randomString(r, B64, 43)}=`,
  pem_json_private_key: (r) =>
    `-----BEGIN PRIVATE KEY-----\\n${pemBody(r, int(r, 6, 14)).replaceAll('\n', '\\n')}\\n-----END PRIVATE KEY-----\\n`,
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
  hex32: (r) => randomString(r, HEX, 32),
  hex40: (r) => randomString(r, HEX, 40),
  base64_id: (r) => randomString(r, B64URL, 22),
  digits: (r) => randomString(r, DIGITS, int(r, 6, 12)),
  word: (r) =>
    pick(r, ['alpha', 'build', 'cache', 'deploy', 'engine', 'fetch', 'gateway', 'handler', 'index', 'worker']),
};

export const ALL_GENERATORS: Record<string, (rnd: Random) => string> = { ...SECRET_GENERATORS, ...NOISE_GENERATORS };
