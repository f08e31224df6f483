import { describe, expect, it } from 'vitest';
import { createRedactor, type RedactResult } from '../../src/safety/redactor';
import { MAX_PEM_CHARS } from '../../src/safety/secretRules';
import { createStreamRedactor, DEFAULT_MAX_HOLD_CHARS } from '../../src/safety/streamRedactor';
import { randomString, SECRET_GENERATORS, seededRandom } from './fakeSecrets';

const redactor = createRedactor({ extraValues: ['env-only-value-42'] });
const fake = (name: string, seed = 3) => SECRET_GENERATORS[name]?.(seededRandom(seed)) ?? '';

/** Feeds `chunks` and returns everything released, plus the redaction count. */
function stream(chunks: string[], sr = createStreamRedactor(redactor)): RedactResult & { beforeFlush: string } {
  let text = '';
  let redactions = 0;
  for (const c of chunks) {
    const out = sr.push(c);
    text += out.text;
    redactions += out.redactions;
  }
  const beforeFlush = text;
  const last = sr.flush();
  return { text: text + last.text, redactions: redactions + last.redactions, beforeFlush };
}

const secrets = {
  github: fake('github_token'),
  aws: fake('aws_access_key_id'),
  jwt: fake('jwt'),
  openai: fake('openai_api_key'),
  password: 'Xk9#mP2$qLw',
  pem: fake('rsa_private_key'),
  url: 'Tz8kQ2pLmW4x',
};
const output = [
  '> build started',
  `GITHUB_TOKEN=${secrets.github}`,
  `aws: ${secrets.aws}\r`,
  `progress 50%\rprogress 100%\r\n`,
  `Authorization: Bearer ${secrets.jwt}`,
  `{"db_password":"${secrets.password}"}`,
  `connecting to postgres://app:${secrets.url}@db:5432/app`,
  'key follows',
  secrets.pem,
  `using ${secrets.openai} and env-only-value-42`,
  'done ✓ 😀',
  'no newline at the end',
].join('\n');

function visible(text: string): string[] {
  const lines = secrets.pem.split('\n').filter((l) => !l.startsWith('-----'));
  return [...Object.values(secrets).filter((s) => s !== secrets.pem), ...lines, 'env-only-value-42'].filter((s) =>
    text.includes(s),
  );
}

describe('createStreamRedactor', () => {
  const whole = redactor.redact(output);

  it('the test output holds every kind of secret', () => {
    expect(whole.redactions).toBe(8);
    expect(visible(whole.text)).toEqual([]);
  });

  it('masks secrets fed one character at a time exactly as in the whole text', () => {
    const out = stream([...output]); // code points: never splits a surrogate pair
    expect(out.text).toBe(whole.text);
    expect(out.redactions).toBe(whole.redactions);
    expect(visible(out.text)).toEqual([]);
  });

  it('masks secrets fed one UTF-16 unit at a time', () => {
    const units = Array.from({ length: output.length }, (_, i) => output[i] as string);
    expect(stream(units).text).toBe(whole.text);
  });

  it('gives the same result for random chunkings', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = seededRandom(seed);
      const chunks: string[] = [];
      for (let i = 0; i < output.length; ) {
        const n = 1 + Math.floor(rnd() * 200);
        chunks.push(output.slice(i, i + n));
        i += n;
      }
      const out = stream(chunks);
      expect(out.text, `seed ${seed}`).toBe(whole.text);
      expect(out.redactions).toBe(whole.redactions);
    }
  });

  it("keeps issue 19's shapes (tool flags, pipes, auth files) masked across every chunking", () => {
    const cvf = fake('codevf_access_token');
    const lines = [
      `mysql -uroot -pQw8#zLm2Tx app`,
      `echo 'Rb7!kP3qZs' | docker login -u bot --password-stdin`,
      `db.internal:5432:app:app:Vn4$hJ8wLp`,
      `  password Hy6^tG2mXc`,
      `curl -H "Authorization: Bearer ${cvf}" https://codevf.example.net/v1/me`,
      `htpasswd -b .htpasswd admin Jq9%rT5vWn`,
      '  - name: DB_PASSWORD',
      '    value: "Kp3#vX9qLm"',
    ];
    const text = `${lines.join('\n')}\n`;
    const once = redactor.redact(text);
    for (const secret of ['Qw8#zLm2Tx', 'Rb7!kP3qZs', 'Vn4$hJ8wLp', 'Hy6^tG2mXc', cvf, 'Jq9%rT5vWn', 'Kp3#vX9qLm'])
      expect(once.text).not.toContain(secret);
    for (let i = 1; i < text.length; i += 3) {
      expect(stream([text.slice(0, i), text.slice(i)]).text, `split at ${i}`).toBe(once.text);
    }
  });

  it('masks a token split in two at every position', () => {
    const line = `token ${secrets.github} ok\n`;
    for (let i = 1; i < line.length; i++) {
      const out = stream([line.slice(0, i), line.slice(i)]);
      expect(out.text, `split at ${i}`).toBe('token [REDACTED:github-token] ok\n');
      expect(out.redactions).toBe(1);
    }
  });

  it('masks a secret whose keyword is split between two chunks, at every position, however its rule is gated', () => {
    // One line per way the redactor finds where to run a rule: a prefix gating a line
    // (`cvf_at_`, ` -p`), a keyword the key rules start from (`password`), `://`, `-----BEGIN`,
    // and `value:` (judged with the line before it).
    const cvf = fake('codevf_access_token');
    const text = [
      `export CODEVF=${cvf}`,
      `mysql -uroot -pQw8#zLm2Tx app`,
      `DB_PASSWORD=Hy6^tG2mXc`,
      `postgres://app:${secrets.url}@db:5432/app`,
      secrets.pem,
      '  - name: API_TOKEN',
      '    value: "Kp3#vX9qLm"',
      '',
    ].join('\n');
    const once = redactor.redact(text);
    expect(once.redactions).toBe(6);
    for (const keyword of ['cvf_at_', ' -p', 'PASSWORD', '://', '-----BEGIN', 'value:']) {
      const at = text.indexOf(keyword);
      for (let i = at + 1; i < at + keyword.length; i++) {
        expect(stream([text.slice(0, i), text.slice(i)]).text, `${keyword} split at ${i - at}`).toBe(once.text);
      }
    }
  });

  it('releases complete lines at once and holds the partial last line', () => {
    const sr = createStreamRedactor(redactor);
    expect(sr.push('line one\nline t').text).toBe('line one\n');
    expect(sr.push('wo\rprogress').text).toBe('line two\r');
    expect(sr.push('').text).toBe('');
    expect(sr.flush()).toEqual({ text: 'progress', redactions: 0 });
    expect(sr.flush()).toEqual({ text: '', redactions: 0 });
  });

  it('masks a secret in the partial line released by flush', () => {
    const sr = createStreamRedactor(redactor);
    expect(sr.push(`waiting ${secrets.github.slice(0, 10)}`).text).toBe('');
    expect(sr.push(secrets.github.slice(10)).text).toBe('');
    expect(sr.flush()).toEqual({ text: 'waiting [REDACTED:github-token]', redactions: 1 });
  });

  it('holds a PEM block from BEGIN until END', () => {
    const sr = createStreamRedactor(redactor);
    const [begin, ...rest] = secrets.pem.split('\n');
    const end = rest.pop() as string;
    expect(sr.push(`before\n${begin}\n`).text).toBe('before\n');
    for (const line of rest) expect(sr.push(`${line}\n`).text).toBe('');
    expect(sr.push(`${end}\nafter\n`)).toEqual({ text: '[REDACTED:private-key]\nafter\n', redactions: 1 });
  });

  it('does not hold a BEGIN marker inside a string in code', () => {
    const sr = createStreamRedactor(redactor);
    const line = "if (s.startsWith('-----BEGIN RSA PRIVATE KEY-----')) {\n";
    expect(sr.push(line)).toEqual({ text: line, redactions: 0 });
  });

  it('releases an oversized PEM block with its body masked and drops the rest of the body', () => {
    const rnd = seededRandom(11);
    const bodyLines = Array.from({ length: Math.ceil(MAX_PEM_CHARS / 64) + 200 }, () =>
      randomString(rnd, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 64),
    );
    const chunks = ['start\n-----BEGIN RSA PRIVATE KEY-----\n', ...bodyLines.map((l) => `${l}\n`)];
    chunks.push('-----END RSA PRIVATE KEY-----\n', 'after the key\n');
    const out = stream(chunks);
    expect(out.text.startsWith('start\n[REDACTED:private-key]')).toBe(true);
    expect(out.text.endsWith('after the key\n')).toBe(true);
    expect(bodyLines.filter((l) => out.text.includes(l))).toEqual([]);
    expect(out.text).not.toContain('-----END');
    expect(out.redactions).toBe(1);
  });

  it('releases a very long line before it ends, without splitting a secret at the cut', () => {
    // The first forced cut would fall 4 KiB before the end of the held text; put the token across it.
    const filler = 'x'.repeat(DEFAULT_MAX_HOLD_CHARS - 4096 - 20);
    const line = `${filler} ${secrets.github} ${'y'.repeat(8192)}`;
    const chunks: string[] = [];
    for (let i = 0; i < line.length; i += 1000) chunks.push(line.slice(i, i + 1000));
    const out = stream(chunks);
    expect(out.beforeFlush.length).toBeGreaterThan(DEFAULT_MAX_HOLD_CHARS / 2); // released early
    expect(out.text).toBe(redactor.redact(line).text);
    expect(out.text).not.toContain(secrets.github);
    expect(out.redactions).toBe(1);
  });

  it('never holds more than the limit plus one chunk on a line without breaks', () => {
    const sr = createStreamRedactor(redactor, { maxHoldChars: 10_000 });
    let released = 0;
    for (let i = 0; i < 100; i++) released += sr.push('z'.repeat(1000)).text.length;
    expect(100_000 - released).toBeLessThanOrEqual(10_000 + 1000);
    expect(released + sr.flush().text.length).toBe(100_000);
  });
});
