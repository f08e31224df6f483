import { MAX_CHAT_CHARS, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '@codevf/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../src/clock';
import { Heartbeat } from '../src/live/heartbeat';
import { liveRuntime } from '../src/live/liveRuntime';
import { api } from './support/api';
import { claim, createTask, liveSession, type Party, party, tick } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession, type ReceivedFrame, refusedUpgrade, type TestSession } from './support/wsClient';

describe.each(['sqlite', 'postgres'] as const)('live session relay (%s)', (dialect) => {
  let server: TestServer;
  let clock: FakeClock;
  let customer: Party;
  let engineer: Party;
  const url = () => server.baseUrl;
  const open: TestSession[] = [];
  const session = async (body: Record<string, unknown> = {}) => {
    const s = await liveSession(server, customer, engineer, body);
    open.push(s.c, s.e);
    return s;
  };

  beforeAll(async () => {
    clock = new FakeClock('2026-04-01T12:00:00.000Z');
    server = await startTestServer({ dialect, clock, config: { requestTtlSeconds: 90 } });
    customer = await party(server, 'customer', 1_000);
    engineer = await party(server, 'engineer', 0, 'Staff engineer');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  describe('handshake and authentication', () => {
    it('welcomes each side with its role, then replays the transcript in order', async () => {
      const { task, c, e } = await session();
      expect(c.welcome?.payload).toEqual({ taskId: task.id, status: 'active', role: 'customer', lastSeq: 2 });
      expect(e.welcome?.payload).toMatchObject({ taskId: task.id, status: 'active', role: 'engineer' });
      const connected = await c.waitFor('engineer_connected');
      expect(connected.payload).toEqual({
        engineer: { id: engineer.user.id, name: engineer.user.name, title: 'Staff engineer' },
        kind: 'human',
      });
      expect((await c.waitFor('customer_connected')).payload).toEqual({ customerId: customer.user.id });
      // Each side is welcomed before its arrival is stored, so the two concurrent arrivals may
      // take seq 3 and 4 in either order; each is stored once, after the task's two statuses.
      for (const side of [c, e]) {
        await side.waitForSeq(4);
        expect(side.relayed().map((f) => f.seq)).toEqual([1, 2, 3, 4]);
        const types = side.relayed().map((f) => f.type);
        expect(types.slice(0, 2)).toEqual(['task_status', 'task_status']);
        expect(types.slice(2).sort()).toEqual(['customer_connected', 'engineer_connected']);
      }
    });

    it('refuses another protocol version with E_PROTOCOL_VERSION and closes', async () => {
      const task = await createTask(url(), customer);
      const s = await openSession({ baseUrl: url(), taskId: task.id, token: customer.token, hello: false });
      s.send('hello', { protocolVersion: PROTOCOL_VERSION + 1, lastSeq: 0 }, null);
      const err = await s.waitFor('error');
      expect(err.payload.code).toBe('E_PROTOCOL_VERSION');
      expect(err.payload.message).toMatch(/version 1/);
      expect((await s.closed).code).toBe(1002);
    });

    it('wants hello first, once, with a lastSeq the log has', async () => {
      const task = await createTask(url(), customer);
      const s = await openSession({ baseUrl: url(), taskId: task.id, token: customer.token, hello: false });
      open.push(s);
      expect(await s.expectError('customer_message', { text: 'too early' })).toBe('E_VALIDATION');
      expect(await s.expectError('hello', { protocolVersion: 1, lastSeq: 99 })).toBe('E_VALIDATION');
      expect(await s.expectError('hello', { protocolVersion: '1' })).toBe('E_VALIDATION');
      s.send('hello', { protocolVersion: 1, lastSeq: 0 }, null);
      await s.waitFor('welcome');
      expect(await s.expectError('hello', { protocolVersion: 1, lastSeq: 0 })).toBe('E_CONFLICT');
      // Seq 1 is the task's queued status, 2 the customer's arrival.
      expect(await s.expectAck('customer_message', { text: 'now it works' })).toBe(3);
    });

    it('refuses the upgrade without valid credentials or to a task that is not yours', async () => {
      const task = await createTask(url(), customer);
      const stranger = await party(server, 'customer', 10);
      const other = await party(server, 'engineer');
      const admin = await party(server, 'admin');
      expect((await refusedUpgrade(url(), task.id, {})).status).toBe(401);
      expect((await refusedUpgrade(url(), task.id, { token: 'not-a-token' })).body.code).toBe('E_UNAUTHORIZED');
      expect((await refusedUpgrade(url(), task.id, { token: stranger.token })).status).toBe(404);
      expect((await refusedUpgrade(url(), task.id, { token: admin.token })).status).toBe(404);
      // An unclaimed task: visible in the queue, but joining needs the claim.
      const unclaimed = await refusedUpgrade(url(), task.id, { token: engineer.token });
      expect(unclaimed.status).toBe(403);
      expect(unclaimed.body.code).toBe('E_FORBIDDEN');
      await claim(url(), engineer, task.id);
      expect((await refusedUpgrade(url(), task.id, { token: other.token })).status).toBe(404);
      expect((await refusedUpgrade(url(), 'no-such-task', { token: customer.token })).status).toBe(404);
    });

    it('accepts the console cookie only from the server’s own origin', async () => {
      const task = await createTask(url(), customer);
      const { cookie } = await server.signIn(customer.user.email, customer.user.password);
      expect((await refusedUpgrade(url(), task.id, { cookie })).status).toBe(403);
      expect((await refusedUpgrade(url(), task.id, { cookie, origin: 'https://evil.example' })).body.code).toBe(
        'E_FORBIDDEN',
      );
      expect(
        (await refusedUpgrade(url(), task.id, { cookie, origin: url().replace('127.0.0.1', 'localhost') })).status,
      ).toBe(403);
      const s = await openSession({ baseUrl: url(), taskId: task.id, cookie, origin: url() });
      open.push(s);
      expect(s.welcome?.payload.role).toBe('customer');
    });

    it('lets the customer’s console socket (beside the CLI’s) chat but not answer requests; its close is no departure', async () => {
      const { task, c, e } = await session();
      const { cookie } = await server.signIn(customer.user.email, customer.user.password);
      const browser = await openSession({ baseUrl: url(), taskId: task.id, cookie, origin: url() });
      open.push(browser);
      const askSeq = await e.expectAck('request_command', { command: 'npm test', reason: 'see it fail' });
      const ask = await browser.waitForSeq(askSeq);
      const requestId = ask.payload.requestId as string;
      for (const [type, payload] of [
        ['approve_command', { requestId, approved: true, scope: 'once' }],
        ['command_output', { requestId, stream: 'stdout', data: 'faked\n' }],
        ['end_session', {}],
      ] as const) {
        const refused = await browser.request(type, payload);
        expect(refused.error?.code, type).toBe('E_FORBIDDEN');
        expect(refused.error?.message).toMatch(/answer requests in the terminal/);
      }
      const said = await browser.expectAck('customer_message', { text: 'from my phone' });
      expect((await e.waitForSeq(said)).payload).toMatchObject({ text: 'from my phone' });
      // The terminal (bearer) socket still answers it.
      await c.expectAck('approve_command', { requestId, approved: false });
      await browser.close();
      const marker = await e.expectAck('engineer_message', { text: 'still there?' });
      await c.waitForSeq(marker);
      await tick(server);
      expect(e.events.filter((f) => f.type.startsWith('customer_')).map((f) => f.type)).toEqual([
        'customer_connected',
        'customer_message',
      ]);
      // The terminal's close is the customer's departure.
      await c.close();
      await e.waitFor('customer_disconnected');
    });
  });

  describe('rules of every message', () => {
    it('carries a full command round trip and a file round trip to both sides', async () => {
      const { task, c, e } = await session();
      const reqSeq = await e.expectAck('request_command', {
        command: 'npm test',
        reason: 'see the failure',
        requestId: 'mine',
        expiresAt: '2099-01-01T00:00:00.000Z',
      });
      const req = await c.waitForSeq(reqSeq);
      const requestId = req.payload.requestId as string;
      expect(requestId).not.toBe('mine');
      expect(req.payload).toEqual({
        requestId,
        command: 'npm test',
        reason: 'see the failure',
        expiresAt: new Date(clock.now().getTime() + 90_000).toISOString(),
      });
      await c.expectAck('approve_command', { requestId, approved: true, scope: 'once' });
      await c.expectAck('command_output', { requestId, stream: 'stdout', data: 'FAIL src/login.test.ts\n' });
      await c.expectAck('command_output', { requestId, stream: 'stderr', data: 'warning\n' });
      const resultSeq = await c.expectAck('command_result', {
        requestId,
        exitCode: 1,
        durationMs: 1200,
        truncated: false,
        redactions: 0,
      });
      await e.waitForSeq(resultSeq);
      expect(e.relayed(reqSeq).map((f) => f.type)).toEqual([
        'approve_command',
        'command_output',
        'command_output',
        'command_result',
      ]);
      // Completed: no more output for it.
      expect(await c.expectError('command_output', { requestId, stream: 'stdout', data: 'late' })).toBe('E_CONFLICT');

      const fileSeq = await e.expectAck('request_file', { path: 'src/login.ts', reason: 'read the handler' });
      const fileReq = (await c.waitForSeq(fileSeq)).payload.requestId as string;
      await c.expectAck('approve_file', { requestId: fileReq, approved: true });
      const content = 'export const login = () => true;\n';
      const sha256 = (await import('node:crypto')).createHash('sha256').update(content).digest('hex');
      const up = await c.expectAck('file_upload', {
        requestId: fileReq,
        path: 'src/login.ts',
        size: content.length,
        sha256,
        encoding: 'utf8',
        content,
        redactions: 0,
      });
      expect((await e.waitForSeq(up)).payload.content).toBe(content);
      expect(
        await c.expectError('file_upload', {
          requestId: fileReq,
          path: 'src/login.ts',
          size: 1,
          sha256,
          encoding: 'utf8',
          content: 'x',
          redactions: 0,
        }),
      ).toBe('E_CONFLICT');

      const shot = await e.expectAck('screenshare_request', { url: 'https://meet.example/abc' });
      await c.waitForSeq(shot);
      const transcript = await api(url(), customer, 'GET', `/v1/tasks/${task.id}/events`);
      expect(transcript.body.chain.verified).toBe(true);
    });

    it('refuses every move a role may not make, and each refusal leaves the connection usable', async () => {
      const { c, e } = await session();
      const reqSeq = await e.expectAck('request_command', { command: 'ls', reason: '' });
      const requestId = (await c.waitForSeq(reqSeq)).payload.requestId as string;
      const refusals: [TestSession, string, unknown, string][] = [
        [c, 'request_command', { command: 'rm -rf /', reason: '' }, 'E_FORBIDDEN'],
        [c, 'request_file', { path: '.env', reason: '' }, 'E_FORBIDDEN'],
        [c, 'engineer_message', { text: 'pretending' }, 'E_FORBIDDEN'],
        [c, 'screenshare_request', { url: 'https://x.example' }, 'E_FORBIDDEN'],
        [e, 'approve_command', { requestId, approved: true }, 'E_FORBIDDEN'],
        [e, 'approve_file', { requestId, approved: true }, 'E_FORBIDDEN'],
        [e, 'command_output', { requestId, stream: 'stdout', data: 'forged' }, 'E_FORBIDDEN'],
        [e, 'customer_message', { text: 'pretending' }, 'E_FORBIDDEN'],
        [c, 'task_status', { status: 'ended' }, 'E_FORBIDDEN'],
        [
          c,
          'session_end',
          { endedBy: 'system', reason: 'x', summary: { engineer: null, durationSeconds: 0, creditsUsed: 0 } },
          'E_FORBIDDEN',
        ],
        [e, 'billing_update', { creditsUsed: 0, balance: 1e9, ratePerMinute: 0, minutes: 0 }, 'E_FORBIDDEN'],
        [c, 'ack', { id: 'x', seq: 1 }, 'E_FORBIDDEN'],
        [c, 'no_such_type', {}, 'E_VALIDATION'],
        // Output for a request that is still pending, and for one that does not exist.
        [c, 'command_output', { requestId, stream: 'stdout', data: 'early' }, 'E_FORBIDDEN'],
        [
          c,
          'command_result',
          { requestId, exitCode: 0, durationMs: 1, truncated: false, redactions: 0 },
          'E_FORBIDDEN',
        ],
        [c, 'command_output', { requestId: 'unknown', stream: 'stdout', data: 'x' }, 'E_NOT_FOUND'],
        [c, 'approve_command', { requestId: 'unknown', approved: true }, 'E_NOT_FOUND'],
        // A command request is not a file request.
        [c, 'approve_file', { requestId, approved: true }, 'E_NOT_FOUND'],
        // Field rules.
        [c, 'customer_message', { text: 'x'.repeat(MAX_CHAT_CHARS + 1) }, 'E_VALIDATION'],
        [c, 'customer_message', { text: '' }, 'E_VALIDATION'],
        [c, 'approve_command', { requestId, approved: 'yes' }, 'E_VALIDATION'],
        [e, 'screenshare_request', { url: 'not a url' }, 'E_VALIDATION'],
      ];
      for (const [who, type, payload, code] of refusals) {
        expect(await who.expectError(type, payload), `${type} by ${who === c ? 'customer' : 'engineer'}`).toBe(code);
      }
      // Still usable on both sides, and nothing refused was stored or relayed.
      const ok = await c.expectAck('customer_message', { text: 'still here' });
      await e.waitForSeq(ok);
      expect(e.events.map((f) => f.type)).not.toContain('command_output');
      expect(e.relayed(reqSeq).map((f) => f.seq)).toEqual([ok]);
    });

    it('decides a request once; denied and expired requests get no output', async () => {
      const { c, e } = await session();
      const ask = async () =>
        (await c.waitForSeq(await e.expectAck('request_command', { command: 'cat log', reason: '' }))).payload
          .requestId as string;

      const denied = await ask();
      await c.expectAck('approve_command', { requestId: denied, approved: false });
      expect(await c.expectError('approve_command', { requestId: denied, approved: true })).toBe('E_CONFLICT');
      expect(await c.expectError('command_output', { requestId: denied, stream: 'stdout', data: 'x' })).toBe(
        'E_FORBIDDEN',
      );

      const approved = await ask();
      await c.expectAck('approve_command', { requestId: approved, approved: true });
      expect(await c.expectError('approve_command', { requestId: approved, approved: false })).toBe('E_CONFLICT');

      // Expiry by the sweeper: a persisted request_expired, then nothing is accepted for it.
      const expiring = await ask();
      clock.advance(91_000);
      await tick(server);
      const expired = await c.waitFor((f) => f.type === 'request_expired' && f.payload.requestId === expiring);
      await e.waitForSeq(expired.seq!);
      expect(await c.expectError('approve_command', { requestId: expiring, approved: true })).toBe('E_REQUEST_EXPIRED');
      expect(await c.expectError('command_output', { requestId: expiring, stream: 'stdout', data: 'x' })).toBe(
        'E_REQUEST_EXPIRED',
      );
      // The approved request does not expire: its output is still welcome.
      await c.expectAck('command_output', { requestId: approved, stream: 'stdout', data: 'ok' });

      // A decision that arrives after the expiry but before the sweeper: refused, and the expiry recorded.
      const late = await ask();
      clock.advance(90_000);
      expect(await c.expectError('approve_command', { requestId: late, approved: true })).toBe('E_REQUEST_EXPIRED');
      await e.waitFor((f) => f.type === 'request_expired' && f.payload.requestId === late);
      await tick(server);
      expect(e.events.filter((f) => f.type === 'request_expired' && f.payload.requestId === late)).toHaveLength(1);

      // Files follow the same machine.
      const fileSeq = await e.expectAck('request_file', { path: 'a.txt', reason: '' });
      const fileReq = (await c.waitForSeq(fileSeq)).payload.requestId as string;
      const upload = {
        requestId: fileReq,
        path: 'a.txt',
        size: 1,
        sha256: 'a'.repeat(64),
        encoding: 'utf8',
        content: 'x',
        redactions: 0,
      };
      expect(await c.expectError('file_upload', upload)).toBe('E_FORBIDDEN');
      await c.expectAck('approve_file', { requestId: fileReq, approved: false, refusedReason: 'sensitive' });
      expect(await c.expectError('file_upload', upload)).toBe('E_FORBIDDEN');
      expect(await c.expectError('approve_file', { requestId: fileReq, approved: true })).toBe('E_CONFLICT');
    });

    it('survives malformed, binary and oversized frames with an error each', async () => {
      const { c, e } = await session();
      c.sendRaw('{"type": "customer_message", ');
      await c.waitFor((f) => f.type === 'error' && /not valid JSON/.test(f.payload.message as string));
      c.sendRaw('[1,2,3]');
      c.sendRaw('"just a string"');
      c.sendRaw('null');
      c.sendRaw(JSON.stringify({ type: 'customer_message', payload: { text: 'no timestamp' }, id: 'bad-1' }));
      c.sendRaw(JSON.stringify({ type: 'customer_message', timestamp: 'now', payload: 'not an object', id: 'bad-2' }));
      c.sendRaw(JSON.stringify({ type: 'customer_message', timestamp: 'now', payload: {}, id: 'has spaces' }));
      c.sendRaw(Buffer.from([0xff, 0x00, 0x13]), true);
      const big = JSON.stringify({
        type: 'customer_message',
        timestamp: 'now',
        payload: { text: 'x'.repeat(MAX_FRAME_BYTES) },
        id: 'big-1',
      });
      c.sendRaw(big);
      const tooLarge = await c.waitFor((f) => f.type === 'error' && f.payload.code === 'E_TOO_LARGE');
      expect(tooLarge.payload.id).toBe('big-1');
      await c.waitFor(() => c.errors().length >= 9);
      expect(c.errors().map((x) => x.code)).toEqual([
        'E_VALIDATION',
        'E_VALIDATION',
        'E_VALIDATION',
        'E_VALIDATION',
        'E_VALIDATION',
        'E_VALIDATION',
        'E_VALIDATION',
        'E_VALIDATION',
        'E_TOO_LARGE',
      ]);
      expect(c.errors()[4]?.id).toBe('bad-1');
      const ok = await c.expectAck('customer_message', { text: 'still fine' });
      expect((await e.waitForSeq(ok)).payload.text).toBe('still fine');
      // The server as a whole is fine too.
      expect((await fetch(`${url()}/healthz`)).status).toBe(200);
    });

    it('tells a client that floods it to slow down, keeps the rest in order and stays usable', async () => {
      const { c, e } = await session();
      // Sent in one go: the server applies one at a time, and at most 256 may wait meanwhile.
      const ids = Array.from({ length: 400 }, (_, i) => `flood-${i}`);
      for (const [i, id] of ids.entries()) c.send('customer_message', { text: `flood ${i}` }, id);
      const answered = (f: ReceivedFrame) =>
        (f.type === 'ack' || f.type === 'error') && String((f.payload as { id?: string }).id).startsWith('flood-');
      await c.waitFor(() => c.frames.filter(answered).length === ids.length, 20_000);
      const limited = c.errors().filter((x) => x.code === 'E_RATE_LIMITED');
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0]?.id).toMatch(/^flood-/);
      // Everything not refused was stored once, in the order sent.
      const acked = c.frames.filter((f) => f.type === 'ack').map((f) => (f.payload as { id: string }).id);
      expect(acked.length + limited.length).toBe(ids.length);
      const relayedTexts = () => e.events.filter((f) => f.type === 'customer_message');
      await e.waitFor(() => relayedTexts().length >= acked.length);
      expect(relayedTexts().map((f) => f.id)).toEqual(ids.filter((id) => acked.includes(id)));
      const ok = await c.expectAck('customer_message', { text: 'after the flood' });
      expect((await e.waitForSeq(ok)).payload.text).toBe('after the flood');
    });

    it('ends the session from either side, then refuses everything but reading', async () => {
      const { task, c, e } = await session();
      clock.advance(61_000);
      const endId = 'end-1';
      const endSeq = await e.expectAck('end_session', { reason: 'fixed: wrong env var' }, endId);
      const end = await c.waitForSeq(endSeq);
      expect(end.type).toBe('session_end');
      expect(end.payload).toMatchObject({
        endedBy: 'engineer',
        reason: 'fixed: wrong env var',
        summary: { engineer: engineer.user.name, durationSeconds: 61 },
      });
      // Re-sending the same end is answered with the same ack; a new one conflicts.
      expect(await e.expectAck('end_session', {}, endId)).toBe(endSeq);
      expect(await c.expectError('end_session', {})).toBe('E_CONFLICT');
      expect(await c.expectError('customer_message', { text: 'hello?' })).toBe('E_CONFLICT');
      expect(await e.expectError('request_command', { command: 'ls', reason: '' })).toBe('E_CONFLICT');
      expect((await api(url(), customer, 'GET', `/v1/tasks/${task.id}`)).body).toMatchObject({
        status: 'ended',
        endedBy: 'engineer',
      });
      // The engineer leaving an ended session adds nothing to the transcript.
      await e.close();
      await tick(server);
      const after = await api(url(), customer, 'GET', `/v1/tasks/${task.id}/events`);
      expect(after.body.events.at(-1).type).toBe('session_end');
    });

    it('records the engineer leaving and coming back', async () => {
      const { task, c, e } = await session();
      await e.close();
      const gone = await c.waitFor('engineer_disconnected');
      expect(gone.payload).toEqual({ engineerId: engineer.user.id });
      const back = await openSession({ baseUrl: url(), taskId: task.id, token: engineer.token, lastSeq: gone.seq! });
      open.push(back);
      await c.waitFor((f) => f.type === 'engineer_connected' && f.seq! > gone.seq!);
      // A customer may write while waiting for an engineer too.
      const waiting = await createTask(url(), customer);
      const w = await openSession({ baseUrl: url(), taskId: waiting.id, token: customer.token });
      open.push(w);
      expect(await w.expectAck('customer_message', { text: 'details: it started after the upgrade' })).toBe(3);
      expect(await w.expectError('approve_command', { requestId: 'x', approved: true })).toBe('E_CONFLICT');
    });
  });
});

describe('heartbeats', () => {
  let server: TestServer;
  afterAll(async () => server?.close());

  it('drops a silent peer and records the engineer leaving; answering peers stay', async () => {
    server = await startTestServer({ config: { heartbeatSeconds: 1.2 } });
    const customer = await party(server, 'customer', 10);
    const engineer = await party(server, 'engineer');
    const { c, e } = await liveSession(server, customer, engineer);
    // Stop reading: no pong goes back, as with a peer whose network vanished.
    e.ws.pause();
    await c.waitFor('engineer_disconnected');
    e.ws.resume();
    // The server cut the connection without a close handshake.
    expect((await e.closed).code).toBe(1006);
    // The customer answered every ping and is still connected and served.
    expect(await c.expectAck('customer_message', { text: 'anyone?' })).toBeGreaterThan(0);
    await c.close();
  });

  it('pings a quiet peer but not one that keeps talking', async () => {
    const customer = await party(server, 'customer', 10);
    const engineer = await party(server, 'engineer');
    const { c, e } = await liveSession(server, customer, engineer);
    let customerPings = 0;
    let engineerPings = 0;
    c.ws.on('ping', () => customerPings++);
    e.ws.on('ping', () => engineerPings++);
    // 1.2 s heartbeat: every socket is checked every 400 ms. The customer sends every 100 ms.
    for (let i = 0; i < 16; i++) {
      await c.expectAck('customer_message', { text: `still here ${i}` });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(engineerPings).toBeGreaterThanOrEqual(2);
    expect(customerPings).toBe(0);
    await c.close();
    await e.close();
  });

  it('runs only while the instance holds sockets: an idle server is not woken for it', async () => {
    const runtime = liveRuntime(server.ctx);
    // The sockets of the tests before have gone.
    await vi.waitFor(() => expect(runtime.heartbeat.armed).toBe(false));
    const customer = await party(server, 'customer', 10);
    const engineer = await party(server, 'engineer');
    const { c, e } = await liveSession(server, customer, engineer);
    expect(runtime.heartbeat.armed).toBe(true);
    await c.close();
    // The engineer is still here, and still checked: a silent one would be dropped.
    expect(runtime.heartbeat.armed).toBe(true);
    e.ws.pause();
    await vi.waitFor(() => expect(runtime.heartbeat.armed).toBe(false), { timeout: 5000 });
    e.ws.resume();
    expect((await e.closed).code).toBe(1006);
  });
});

describe('heartbeat rounds', () => {
  /** Stand-ins for sockets that record when the heartbeat looked at them. */
  function fakeConnections(heartbeat: Heartbeat, n: number) {
    const checks: number[][] = [];
    for (let i = 0; i < n; i++) {
      const mine: number[] = [];
      checks.push(mine);
      heartbeat.add({ heartbeat: () => mine.push(step) });
    }
    return checks;
  }
  let step = 0;

  it('checks every socket once per ping period, a small share at each step', () => {
    // 30 s heartbeat: a check every 10 s, in steps of 50 ms, so 200 steps a period.
    const heartbeat = new Heartbeat(30);
    expect(heartbeat.steps).toBe(200);
    const checks = fakeConnections(heartbeat, 2000);
    const perStep: number[] = [];
    for (step = 0; step < 400; step++) {
      const before = checks.reduce((a, c) => a + c.length, 0);
      heartbeat.step();
      perStep.push(checks.reduce((a, c) => a + c.length, 0) - before);
    }
    // 400 steps = two ping periods: every socket twice, 200 steps apart, never a burst.
    for (const c of checks) {
      expect(c).toHaveLength(2);
      expect((c[1] ?? 0) - (c[0] ?? 0)).toBe(200);
    }
    expect(Math.max(...perStep)).toBe(10);
  });

  it('takes in sockets that arrive mid-round at the next round', () => {
    const heartbeat = new Heartbeat(30);
    const early = fakeConnections(heartbeat, 10);
    for (step = 0; step < 5; step++) heartbeat.step();
    const late = fakeConnections(heartbeat, 10);
    for (; step < 400; step++) heartbeat.step();
    expect(early.every((c) => c.length === 2)).toBe(true);
    expect(late.every((c) => c.length === 1)).toBe(true);
  });
});
