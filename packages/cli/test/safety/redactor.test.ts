import { describe, expect, it } from 'vitest';
import { characterClasses, shannonEntropy } from '../../src/safety/entropy';
import { createRedactor, MIN_EXTRA_VALUE_LENGTH } from '../../src/safety/redactor';
import { isLikelySecretValue, SECRET_RULE_IDS, secretKeyKind } from '../../src/safety/secretRules';
import { SECRET_GENERATORS, seededRandom } from './fakeSecrets';

const fake = (name: keyof typeof SECRET_GENERATORS, seed = 7) => {
  const gen = SECRET_GENERATORS[name];
  if (!gen) throw new Error(name);
  return gen(seededRandom(seed));
};
const r = createRedactor();

describe('entropy', () => {
  it('measures bits per character', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBeCloseTo(2);
    expect(shannonEntropy('changeme')).toBeCloseTo(2.75);
    expect(characterClasses('abc')).toBe(1);
    expect(characterClasses('aB3!')).toBe(4);
  });
});

describe('provider rules', () => {
  const cases: [string, string, string][] = [
    ['aws-access-key-id', `AWS_ACCESS_KEY_ID=${fake('aws_access_key_id')}`, 'AWS_ACCESS_KEY_ID='],
    ['aws-secret-access-key', `aws_secret_access_key = ${fake('aws_secret_access_key')}`, 'aws_secret_access_key = '],
    ['github-token', `token ${fake('github_token')} used`, 'token '],
    ['github-fine-grained-pat', `auth: ${fake('github_fine_grained_pat')}`, 'auth: '],
    ['gitlab-token', `git clone with ${fake('gitlab_pat')}`, 'git clone with '],
    ['slack-token', `SLACK=${fake('slack_bot_token')}`, 'SLACK='],
    ['stripe-key', `Stripe(${fake('stripe_secret_key')})`, 'Stripe('],
    ['stripe-webhook-secret', `secret is ${fake('stripe_webhook_secret')}`, 'secret is '],
    ['google-api-key', `key=${fake('google_api_key')}&q=x`, 'key='],
    ['google-oauth-secret', `cs ${fake('google_oauth_secret')}`, 'cs '],
    ['openai-api-key', `using ${fake('openai_api_key')}`, 'using '],
    ['anthropic-api-key', `using ${fake('anthropic_api_key')}`, 'using '],
    ['npm-token', `npm ${fake('npm_token')}`, 'npm '],
    ['sendgrid-api-key', `sg ${fake('sendgrid_api_key')}`, 'sg '],
    ['huggingface-token', `hf ${fake('huggingface_token')}`, 'hf '],
    ['jwt', `id_token: ${fake('jwt')}`, 'id_token: '],
  ];
  for (const [rule, text, keep] of cases) {
    it(`masks ${rule} and keeps its context`, () => {
      const out = r.redact(text);
      expect(out.redactions).toBe(1);
      expect(out.text).toContain(`${keep}[REDACTED:${rule}]`);
      expect(SECRET_RULE_IDS).toContain(rule);
    });
  }

  it('leaves look-alikes alone', () => {
    const lookAlikes = [
      'AKIA is the prefix of an access key id',
      'AKIAIOSFODNN7EXAMPLE1', // 17 characters after AKIA: not a key id
      'tokens start with ghp_ followed by 36 characters',
      'ghp_short',
      'sk_live_ is the prefix of a live key',
      'Use sk-learn-compatible-estimators-for-pipelines',
      'A JWT starts with eyJ',
      'xoxb-your-bot-token',
      'https://hooks.slack.com/services/',
      'glpat-short',
      `commit ${'0123456789abcdef'.repeat(2)}01234567`,
    ];
    for (const t of lookAlikes) expect(r.redact(t), t).toEqual({ text: t, redactions: 0 });
  });

  it('leaves published documentation examples alone, but not the same shape with other content', () => {
    for (const t of [
      'AKIAIOSFODNN7EXAMPLE',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'STRIPE_SECRET_KEY=sk_test_XXXXXXXXXXXXXXXXXXXXXXXX',
    ])
      expect(r.redact(t), t).toEqual({ text: t, redactions: 0 });
    expect(r.redact('AKIAIOSFODNN7EXAMPLF').text).toBe('[REDACTED:aws-access-key-id]');
  });

  it("masks CodeVF's own tokens (access, refresh, device code, web session)", () => {
    const tail = 'Q2hvb3NlIGEgcmFuZG9tIHRhaWwgb2YgNDMgY2hhcnM';
    for (const kind of ['at', 'rt', 'dc', 's']) {
      expect(r.redact(`token ${`cvf_${kind}_`}${tail}`).text).toBe('token [REDACTED:codevf-token]');
    }
    // The prefix alone (in code and tests) is not a token.
    expect(r.redact("const ACCESS_PREFIX = 'cvf_at_';").redactions).toBe(0);
  });
});

describe('private keys', () => {
  const key = fake('rsa_private_key');
  it('masks a whole PEM block across lines and keeps what follows', () => {
    const out = r.redact(`key:\n${key}\nnext line`);
    expect(out).toEqual({ text: 'key:\n[REDACTED:private-key]\nnext line', redactions: 1 });
  });

  it('masks a JSON-escaped key in a service-account file', () => {
    const escaped = JSON.stringify({ private_key: `${key}\n`, client_email: 'x@y.iam.gserviceaccount.com' });
    const out = r.redact(escaped);
    expect(out.text).toBe('{"private_key":"[REDACTED:private-key]\\n","client_email":"x@y.iam.gserviceaccount.com"}');
  });

  it('masks the body of a truncated key (no END) up to a blank line', () => {
    const truncated = key.split('\n').slice(0, 5).join('\n');
    const out = r.redact(`$ head -5 id_rsa\n${truncated}\n\n$ ls`);
    expect(out.text).toBe('$ head -5 id_rsa\n[REDACTED:private-key]\n\n$ ls');
  });

  it('leaves a bare BEGIN marker in code and public certificates alone', () => {
    const code = "if (pem.startsWith('-----BEGIN RSA PRIVATE KEY-----')) parse(pem);";
    expect(r.redact(code).redactions).toBe(0);
    const cert =
      '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----';
    expect(r.redact(cert).redactions).toBe(0);
  });
});

describe('credentials in URLs', () => {
  it('masks only the password and keeps user and host', () => {
    expect(r.redact('postgres://app:S3cr3tP4ss@db.internal:5432/app').text).toBe(
      'postgres://app:[REDACTED:url-credentials]@db.internal:5432/app',
    );
    expect(r.redact('redis://:Xk9mPq2Lz8@cache:6379').text).toBe('redis://:[REDACTED:url-credentials]@cache:6379');
  });

  it('handles an unencoded @ or # in the password', () => {
    expect(r.redact('mongodb://admin:p@ss#Word99@mongo:27017/db').text).toBe(
      'mongodb://admin:[REDACTED:url-credentials]@mongo:27017/db',
    );
  });

  it('leaves placeholders, variables and plain URLs alone', () => {
    for (const t of [
      'postgres://user:password@localhost:5432/mydb',
      'amqp://guest:guest@localhost:5672/',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI syntax, not a template
      'redis://:${REDIS_PASSWORD}@redis:6379',
      'https://github.com/acme/web.git',
      'git@github.com:acme/web.git',
      'http://localhost:3000/login?next=/a@b',
    ]) {
      expect(r.redact(t), t).toEqual({ text: t, redactions: 0 });
    }
  });
});

describe('assignments (generic-secret)', () => {
  const masked = [
    ['DB_PASSWORD=Xk9#mP2$qLw', 'DB_PASSWORD=[REDACTED:generic-secret]'],
    ['export API_TOKEN="a8f5f167f44f4964e6c998dee827110c"', 'export API_TOKEN="[REDACTED:generic-secret]"'],
    ['"password": "Summer2024!"', '"password": "[REDACTED:generic-secret]"'],
    ["  client_secret: 'q8Zr2LmX0vBn4TyW'", "  client_secret: '[REDACTED:generic-secret]'"],
    ['password: hunter22', 'password: [REDACTED:generic-secret]'],
    ['spring.datasource.password=Maple#1987', 'spring.datasource.password=[REDACTED:generic-secret]'],
    ["'password' => 'Kodiak_4421!',", "'password' => '[REDACTED:generic-secret]',"],
    ['secret_key := "zP4qW9xL2mN7"', 'secret_key := "[REDACTED:generic-secret]"'],
    ['mysql --password=river2201 app', 'mysql --password=[REDACTED:generic-secret] app'],
    ['GET /cb?access_token=f3a9c1e77b2d4e&state=1', 'GET /cb?access_token=[REDACTED:generic-secret]&state=1'],
    ['PGPASSWORD=Xk9mP2qLw8 psql', 'PGPASSWORD=[REDACTED:generic-secret] psql'],
    ['DB_PASS=CIvSsxxSDKPJ', 'DB_PASS=[REDACTED:generic-secret]'], // random letters, not CamelCase
    ['User ID=admin;Password=Tz8!kQ2pLm;Encrypt=true', 'User ID=admin;Password=[REDACTED:generic-secret];Encrypt=true'],
    ['<password>Tz8!kQ2pLm</password>', '<password>[REDACTED:generic-secret]</password>'],
    ['<add key="ApiKey" value="Tz8kQ2pLmW4x" />', '<add key="ApiKey" value="[REDACTED:generic-secret]" />'],
    [
      'machine api.example.com login me password Tz8kQ2pLmW4x',
      'machine api.example.com login me password [REDACTED:generic-secret]',
    ],
    ['docker login -u me --password Tz8kQ2pLmW4x', 'docker login -u me --password [REDACTED:cli-flag-secret]'],
    ['curl -u deploy:Tz8kQ2pLmW4x https://ci', 'curl -u deploy:[REDACTED:cli-flag-secret] https://ci'],
    ['_auth=ZGVwbG95OlR6OGtRMnBMbVc0eA==', '_auth=[REDACTED:generic-secret]'],
    ['Authorization: Bearer abcDEF123456ghiJKL789', 'Authorization: Bearer [REDACTED:bearer-token]'],
    ['Authorization: Basic ZGVwbG95OlR6OGtRMnBM', 'Authorization: Basic [REDACTED:authorization-header]'],
  ];
  for (const [input, output] of masked) {
    it(`masks ${input}`, () => {
      expect(r.redact(input as string)).toEqual({ text: output, redactions: 1 });
    });
  }

  const kept = [
    'password=changeme', // a placeholder: one character class, entropy 2.75 < 3.0
    'POSTGRES_PASSWORD=postgres',
    'API_KEY=your-api-key-here',
    'JWT_SECRET=supersecret',
    'password: "********"',
    'SECRET_KEY=dev', // shorter than 6 characters
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI syntax, not a template
    'token: ${{ secrets.GITHUB_TOKEN }}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI syntax, not a template
    'DB_PASSWORD=${DB_PASSWORD:?missing}',
    'api_key = os.environ["OPENAI_API_KEY"]',
    'const token = getToken();',
    'const apiKey = process.env.GOOGLE_MAPS_API_KEY;',
    'password: string;',
    'apiKey: GoogleMapsConfig;',
    'password = userInput',
    'api_key = API_KEY_FROM_VAULT',
    'password = credentials',
    'if (password == null) return;',
    'max_tokens: 4096',
    'tokenizer: "cl100k_base"',
    'passwordMinLength: 12',
    'bypass: true',
    'auth: oauth2',
    'PWD=/home/jane/project',
    'TOKEN_FILE=/run/secrets/api_token',
    'credentials: "same-origin"',
    'Authorization: Bearer <token>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell and CI syntax, not a template
    'Authorization: Bearer ${ACCESS_TOKEN}',
    'Your password must contain at least 12 characters.',
  ];
  for (const input of kept) {
    it(`keeps ${input}`, () => {
      expect(r.redact(input)).toEqual({ text: input, redactions: 0 });
    });
  }

  it('judges keys by their last words', () => {
    expect(secretKeyKind('DB_PASSWORD')).toBe('yes');
    expect(secretKeyKind('awsSecretAccessKey')).toBe('yes');
    expect(secretKeyKind('x-api-key')).toBe('yes');
    expect(secretKeyKind('DB_PASS')).toBe('yes');
    expect(secretKeyKind('_auth')).toBe('weak');
    expect(secretKeyKind('bypass')).toBe('no');
    expect(secretKeyKind('max_tokens')).toBe('no');
    expect(secretKeyKind('tokenizer')).toBe('no');
    expect(secretKeyKind('PWD')).toBe('no');
  });

  it('applies the documented entropy thresholds', () => {
    expect(isLikelySecretValue('changeme', false)).toBe(false); // 2.75, one class
    expect(isLikelySecretValue('qhzkfjdw', false)).toBe(true); // 3.0, one class
    expect(isLikelySecretValue('hunter22', false)).toBe(true); // 2.5, mixed
    expect(isLikelySecretValue('aaaa1111', false)).toBe(false); // 1.0, mixed
    expect(isLikelySecretValue('abc12', false)).toBe(false); // too short
    expect(isLikelySecretValue('qhzkfjdw', true)).toBe(false); // bare letters need 3.5
    expect(isLikelySecretValue('qhzkfjdwxyvbnm', true)).toBe(true);
  });
});

describe('extraValues', () => {
  it('masks exact values wherever they appear, even inside words', () => {
    const red = createRedactor({ extraValues: ['s3cr3t-value', 'another1'] });
    expect(red.redact('a s3cr3t-value b xs3cr3t-valuex another1')).toEqual({
      text: 'a [REDACTED:env-value] b x[REDACTED:env-value]x [REDACTED:env-value]',
      redactions: 3,
    });
  });

  it(`ignores values shorter than ${MIN_EXTRA_VALUE_LENGTH} characters`, () => {
    const red = createRedactor({ extraValues: ['abcde', 'true', ''] });
    expect(red.redact('abcde true').redactions).toBe(0);
    expect(createRedactor({ extraValues: ['abcdef'] }).redact('abcdef').redactions).toBe(1);
  });

  it('masks a value that contains another as one span', () => {
    const red = createRedactor({ extraValues: ['value1', 'value1-longer'] });
    expect(red.redact('value1-longer').text).toBe('[REDACTED:env-value]');
  });

  it('treats regex characters literally', () => {
    const red = createRedactor({ extraValues: ['a.b*c+d?'] });
    expect(red.redact('a.b*c+d? aXbbbcd').text).toBe('[REDACTED:env-value] aXbbbcd');
  });

  it('finds values found by the keyword scan and values it cannot scan for alike', () => {
    // Two values with the same first 16 characters (what the scan looks for), one with a
    // unicode character, one with a control character, repeated and back to back.
    const long = 'database-password-for-prod-2024';
    const twin = 'database-password-for-staging';
    const values = [long, twin, 'mot-de-passe-été', 'tab\u0001value'];
    const red = createRedactor({ extraValues: values });
    const text = `${long}${long} ${twin} database-password-for-nothing mot-de-passe-été x tab\u0001value`;
    const out = red.redact(text);
    expect(out.text).toBe(
      '[REDACTED:env-value][REDACTED:env-value] [REDACTED:env-value] database-password-for-nothing [REDACTED:env-value] x [REDACTED:env-value]',
    );
    expect(out.redactions).toBe(5);
    // Across the pieces the scan reads (64 KiB), at each split of the value's first characters.
    for (let at = 64 * 1024 - 16; at <= 64 * 1024; at += 3) {
      expect(red.redact(`${'.'.repeat(at)}${twin}.`).text, `at ${at}`).toBe(`${'.'.repeat(at)}[REDACTED:env-value].`);
    }
  });
});

describe('merging and idempotence', () => {
  it('names an overlap after the more specific rule and counts it once', () => {
    const key = fake('github_token');
    expect(r.redact(`GITHUB_TOKEN=${key}`)).toEqual({ text: 'GITHUB_TOKEN=[REDACTED:github-token]', redactions: 1 });
  });

  it('merges partially overlapping findings so nothing between them leaks', () => {
    const red = createRedactor({ extraValues: ['Xk9mP2qLw8-tail'] });
    const out = red.redact('DB_PASSWORD=Xk9mP2qLw8-tail-more');
    expect(out.text).toBe('DB_PASSWORD=[REDACTED:generic-secret]');
    expect(out.redactions).toBe(1);
  });

  it('redacting twice changes nothing', () => {
    const text = [
      `GITHUB_TOKEN=${fake('github_token')}`,
      'password: "Summer2024!"',
      'postgres://app:S3cr3tP4ss@db/app',
      fake('rsa_private_key'),
      `Authorization: Bearer ${fake('jwt')}`,
    ].join('\n');
    const once = r.redact(text);
    expect(once.redactions).toBe(5);
    expect(r.redact(once.text)).toEqual({ text: once.text, redactions: 0 });
  });

  it('leaves ordinary text, empty text and unicode untouched', () => {
    for (const t of ['', 'hello wörld ✓ 😀', 'npm test\n> vitest run\n\n ✓ 12 passed']) {
      expect(r.redact(t)).toEqual({ text: t, redactions: 0 });
    }
  });
});
