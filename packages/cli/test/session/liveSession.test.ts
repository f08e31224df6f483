import type { AiInfo } from '@codevf/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/core/api';
import { CodevfError } from '../../src/core/errors';
import { createLiveSession, type LiveSession } from '../../src/session/liveSession';
import type { CommandOutcome, CommandPlace, LocalWork } from '../../src/session/localWork';
import { AI_TERMS } from '../support/aiTerms';
import { startFakeSessionServer } from './fakeSessionServer';
import { waitFor } from './waitFor';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Local work that records what it was asked to do; commands print what the test scripts. */
function fakeLocal(
  script: {
    output?: string[];
    files?: Record<string, string | { refuse: string }>;
    badDirs?: Record<string, string>;
    /** The safety layer could not be loaded: masking fails with this message. */
    redactFails?: string;
  } = {},
) {
  const ran: string[] = [];
  const places: CommandPlace[] = [];
  const local: LocalWork = {
    redactText: async (text) => {
      if (script.redactFails) throw new CodevfError('E_INTERNAL', script.redactFails);
      const masked = text.replace(/AKIA[0-9A-Z]{16}/g, '[REDACTED:aws]');
      return { text: masked, redactions: masked === text ? 0 : 1 };
    },
    async runCommand(command, onOutput, _signal, place = {}): Promise<CommandOutcome> {
      ran.push(command);
      places.push(place);
      for (const chunk of script.output ?? []) onOutput('stdout', chunk);
      return { exitCode: 0, signal: null, durationMs: 5, truncated: false, redactions: 0 };
    },
    async checkDir(cwd) {
      const reason = script.badDirs?.[cwd];
      return reason ? { ok: false, reason } : { ok: true };
    },
    async checkFile(path) {
      const f = script.files?.[path];
      if (f === undefined) return { ok: false, reason: 'the file does not exist' };
      if (typeof f === 'object') return { ok: false, reason: f.refuse };
      return { ok: true, path, size: f.length, sensitive: path.includes('.env') };
    },
    async readFile(path) {
      const f = script.files?.[path];
      if (typeof f !== 'string') return { ok: false, reason: 'gone' };
      // As the real one: the file's name relative to the project, which may differ from the request.
      const relPath = path.replace(/^\.\//, '');
      return { ok: true, path: relPath, size: f.length, sha256: '0'.repeat(64), content: f, redactions: 0 };
    },
    openUrl: async () => true,
  };
  return { local, ran, places };
}

interface SetupOptions {
  script?: Parameters<typeof fakeLocal>[0];
  /** `--mode` (absent: not sent). */
  mode?: 'human' | 'ai' | 'hybrid';
  /** Who joins first: a human engineer (default) or the AI. */
  helper?: 'human' | 'ai';
  /** GET /v1/ai's answer; 'missing' answers 404 as an older server does. */
  aiInfo?: AiInfo | 'missing';
}

async function setup(scriptOrOptions?: Parameters<typeof fakeLocal>[0] | SetupOptions) {
  const options: SetupOptions =
    scriptOrOptions && ('mode' in scriptOrOptions || 'helper' in scriptOrOptions || 'aiInfo' in scriptOrOptions)
      ? scriptOrOptions
      : { script: scriptOrOptions as Parameters<typeof fakeLocal>[0] };
  const script = options.script;
  const server = await startFakeSessionServer();
  cleanups.push(() => server.close());
  const baseUrl = server.url.replace('ws://', 'http://').replace(/\/v1\/.*$/, '');
  const posted: Array<{ path: string; body: unknown }> = [];
  const fetched: string[] = [];
  const api = {
    baseUrl,
    accessToken: async () => 'good-token',
    get: async (path: string, opts?: { parse?: (v: unknown) => unknown }) => {
      fetched.push(path);
      if (path !== '/v1/ai') return {} as never;
      const info = options.aiInfo ?? 'missing';
      if (info === 'missing') throw new CodevfError('E_NOT_FOUND', 'Route GET:/v1/ai not found');
      return (opts?.parse ? opts.parse(info) : info) as never;
    },
    post: async (path: string, body: unknown) => {
      posted.push({ path, body });
      return {
        id: 't1',
        status: 'active',
        creditsUsed: 0,
        engineer: null,
        claimedAt: null,
        endedAt: null,
      } as unknown as never;
    },
  } as unknown as ApiClient;
  const { local, ran, places } = fakeLocal(script);
  const session = createLiveSession({
    api,
    local,
    customerName: 'Ann',
    description: 'it breaks',
    backoff: { initialMs: 5, maxMs: 10 },
    ...(options.mode ? { mode: options.mode } : {}),
  });
  cleanups.push(() => session.abort());
  session.start();
  await waitFor(() => session.store.getState().connection.kind === 'connected', 'connected');
  if (options.helper === 'ai') {
    server.emit('engineer_connected', {
      engineer: { id: 'codevf-ai', name: 'Codie', title: 'qwen2.5-coder' },
      kind: 'ai',
    });
  } else {
    server.emit('engineer_connected', { engineer: { id: 'e', name: 'Maria', title: null }, kind: 'human' });
  }
  await waitFor(() => session.store.getState().engineer, 'engineer');
  return { server, session, ran, places, posted, fetched };
}

const sentTypes = (server: Awaited<ReturnType<typeof startFakeSessionServer>>) => server.received.map((r) => r.type);

/** The server sets every request's expiry. */
const inAMinute = () => new Date(Date.now() + 60_000).toISOString();

function request(server: Awaited<ReturnType<typeof startFakeSessionServer>>, requestId: string, command: string) {
  server.emit('request_command', {
    requestId,
    command,
    reason: '',
    expiresAt: inAMinute(),
  });
}

async function pending(session: LiveSession, id: string) {
  await waitFor(() => session.store.getState().requests[id]?.status === 'pending', `request ${id} pending`);
}

describe('live session controller', () => {
  it('creates the task with the issue text, and no mode unless one was given (the server decides)', async () => {
    const { posted } = await setup();
    expect(posted[0]).toEqual({ path: '/v1/tasks', body: { description: 'it breaks' } });
  });

  it('sends the mode given', async () => {
    const { posted } = await setup({ mode: 'hybrid' });
    expect(posted[0]).toEqual({ path: '/v1/tasks', body: { description: 'it breaks', mode: 'hybrid' } });
  });

  it('runs nothing when the server refuses the approval (it expired meanwhile)', async () => {
    const { server, session, ran } = await setup();
    request(server, 'expired', 'rm -rf build');
    await pending(session, 'expired');
    session.decideCommand('expired', 'once');
    await waitFor(() => session.store.getState().requests.expired?.status === 'expired', 'marked expired');
    expect(ran).toEqual([]);
    expect(sentTypes(server)).toEqual(['approve_command']);
  });

  it('approve → output → result, in that order; output of one tick goes in one frame', async () => {
    const { server, session, ran } = await setup({ output: ['a\n', 'b\n', 'c\n'] });
    request(server, 'r1', 'npm test');
    await pending(session, 'r1');
    session.decideCommand('r1', 'once');
    await waitFor(() => server.received.some((r) => r.type === 'command_result'), 'result');
    expect(ran).toEqual(['npm test']);
    expect(sentTypes(server)).toEqual(['approve_command', 'command_output', 'command_result']);
    const output = server.events.find((e) => e.type === 'command_output');
    expect(output?.payload).toEqual({ requestId: 'r1', stream: 'stdout', data: 'a\nb\nc\n' });
    await waitFor(() => session.store.getState().requests.r1?.status === 'completed', 'completed');
  });

  it('deny sends the refusal and runs nothing', async () => {
    const { server, session, ran } = await setup();
    request(server, 'r1', 'npm test');
    await pending(session, 'r1');
    session.decideCommand('r1', 'deny');
    await waitFor(() => server.received.length === 1, 'sent');
    expect(server.events.find((e) => e.type === 'approve_command')?.payload).toEqual({
      requestId: 'r1',
      approved: false,
    });
    expect(ran).toEqual([]);
  });

  it('"allow for the session" approves the same text later without asking, nothing else', async () => {
    const { server, session, ran } = await setup();
    request(server, 'r1', 'npm test');
    await pending(session, 'r1');
    session.decideCommand('r1', 'session');
    await waitFor(() => ran.length === 1, 'first run');
    request(server, 'r2', 'npm test');
    await waitFor(() => ran.length === 2, 'second run without asking');
    request(server, 'r3', 'npm test ');
    await pending(session, 'r3');
    expect(ran).toEqual(['npm test', 'npm test']);
    expect(session.activePrompt()?.requestId).toBe('r3');
  });

  it('refuses a command whose folder the local check refuses, without asking; runs the others where asked', async () => {
    const { server, session, ran, places } = await setup({
      badDirs: { escape: 'the working directory escapes the project root through a symbolic link' },
    });
    server.emit('request_command', {
      requestId: 'r1',
      command: 'ls',
      cwd: 'escape',
      reason: '',
      expiresAt: inAMinute(),
    });
    await waitFor(() => server.received.some((r) => r.type === 'approve_command'), 'refusal');
    expect(server.events.find((e) => e.type === 'approve_command')?.payload).toEqual({
      requestId: 'r1',
      approved: false,
      refusedReason: 'the working directory escapes the project root through a symbolic link',
    });
    await waitFor(() => session.store.getState().requests.r1?.status === 'refused', 'refused');
    expect(session.activePrompt()).toBeNull();

    const ask = (requestId: string, extra: Record<string, unknown>) =>
      server.emit('request_command', { requestId, command: 'npm test', reason: '', expiresAt: inAMinute(), ...extra });
    ask('r2', { cwd: 'packages/api', timeoutSeconds: 30 });
    await pending(session, 'r2');
    expect(session.activePrompt()).toMatchObject({ cwd: 'packages/api', timeoutSeconds: 30 });
    session.decideCommand('r2', 'session');
    await waitFor(() => ran.length === 1, 'first run');
    expect(places).toEqual([{ cwd: 'packages/api', timeoutSeconds: 30 }]);
    // The allowance covers the same command in the same folder with the same limit, nothing else.
    ask('r3', { cwd: 'packages/api', timeoutSeconds: 30 });
    await waitFor(() => ran.length === 2, 'same request runs without asking');
    for (const [id, extra] of [
      ['r4', {}],
      ['r5', { cwd: 'packages/web', timeoutSeconds: 30 }],
      ['r6', { cwd: 'packages/api', timeoutSeconds: 3600 }],
    ] as const) {
      ask(id, extra);
      await pending(session, id);
    }
    expect(ran).toHaveLength(2);
    expect(session.activePrompt()?.requestId).toBe('r4');
    expect(ran).toEqual(['npm test', 'npm test']);
    expect(places[1]).toEqual({ cwd: 'packages/api', timeoutSeconds: 30 });
  });

  it('answers a file the local check refuses without asking; asks about the others', async () => {
    const { server, session } = await setup({
      files: { '../x': { refuse: 'outside the project' }, './a.txt': 'hello' },
    });
    server.emit('request_file', { requestId: 'f1', path: '../x', reason: '', expiresAt: inAMinute() });
    await waitFor(() => server.received.some((r) => r.type === 'approve_file'), 'refusal');
    expect(server.events.find((e) => e.type === 'approve_file')?.payload).toEqual({
      requestId: 'f1',
      approved: false,
      refusedReason: 'outside the project',
    });
    server.emit('request_file', { requestId: 'f2', path: './a.txt', reason: '', expiresAt: inAMinute() });
    await waitFor(() => session.activePrompt()?.requestId === 'f2', 'asked');
    session.decideFile('f2', true);
    await waitFor(() => server.received.some((r) => r.type === 'file_upload'), 'upload');
    expect(sentTypes(server)).toEqual(['approve_file', 'approve_file', 'file_upload']);
    // The path as requested, not the file's normalised name: the server refuses any other.
    expect(server.events.find((e) => e.type === 'file_upload')?.payload).toMatchObject({ path: './a.txt' });
  });

  it('a sensitive file is sent only with the right name typed', async () => {
    const { server, session } = await setup({ files: { 'app/.env': 'A=1' } });
    server.emit('request_file', { requestId: 'f1', path: 'app/.env', reason: '', expiresAt: inAMinute() });
    await waitFor(() => session.activePrompt()?.requestId === 'f1', 'asked');
    session.setConfirmDraft('env');
    session.submitConfirm('f1');
    expect(session.store.getState().confirmMismatch).toBe(true);
    session.setConfirmDraft('.env');
    session.submitConfirm('f1');
    await waitFor(() => server.received.some((r) => r.type === 'file_upload'), 'upload');
  });

  it('masks secrets in chat lines and sends the count', async () => {
    const { server, session } = await setup();
    session.sendChat('key AKIAIOSFODNN7EXAMPLF here');
    await waitFor(() => server.events.find((e) => e.type === 'customer_message'), 'sent');
    expect(server.events.find((e) => e.type === 'customer_message')?.payload).toEqual({
      text: 'key [REDACTED:aws] here',
      redactions: 1,
    });
    await waitFor(
      () => session.store.getState().entries.some((e) => e.kind === 'message' && e.who === 'customer' && !e.pending),
      'acked',
    );
    expect(session.store.getState().entries.filter((e) => e.kind === 'message' && e.who === 'customer')).toHaveLength(
      1,
    );
  });

  it('sends nothing when a line cannot be masked, and says so', async () => {
    const { server, session } = await setup({ redactFails: 'the safety layer did not load' });
    session.sendChat('my key AKIAIOSFODNN7EXAMPLF');
    await waitFor(() => session.store.getState().notice, 'notice');
    expect(session.store.getState().notice).toEqual({
      text: 'The message was not sent: the safety layer did not load',
      tone: 'error',
    });
    expect(server.received).toEqual([]);
    expect(session.store.getState().entries.some((e) => e.kind === 'message' && e.who === 'customer')).toBe(false);
  });

  it('ignores empty and over-long chat lines', async () => {
    const { server, session } = await setup();
    session.sendChat('   ');
    session.sendChat('x'.repeat(8_001));
    expect(server.received).toEqual([]);
    expect(session.store.getState().notice?.text).toMatch(/limited to 8000 characters/);
  });
});

describe('asking for a human (/human)', () => {
  it('reads the AI terms at the start; a 404 from an older server means no AI, said nowhere', async () => {
    const withAi = await setup({ helper: 'ai', aiInfo: AI_TERMS });
    expect(withAi.fetched).toContain('/v1/ai');
    await waitFor(() => withAi.session.store.getState().aiInfo, 'AI terms');
    expect(withAi.session.store.getState().aiInfo).toEqual(AI_TERMS);
    const older = await setup({ aiInfo: 'missing' });
    expect(older.fetched).toContain('/v1/ai');
    expect(older.session.store.getState().aiInfo).toBeNull();
    expect(older.session.store.getState().notice).toBeNull();
  });

  it('while the AI helps, /human <reason> sends request_human with the reason masked, not a chat line', async () => {
    const { server, session } = await setup({ helper: 'ai', aiInfo: AI_TERMS });
    expect(session.store.getState().aiLeads).toBe(true);
    session.sendChat('/human  it keeps suggesting AKIAIOSFODNN7EXAMPLF  ');
    await waitFor(() => server.received.length > 0, 'sent');
    expect(server.received.map((r) => r.type)).toEqual(['request_human']);
    expect(server.events.at(-1)?.payload).toEqual({ reason: 'it keeps suggesting [REDACTED:aws]' });
    const s = session.store.getState();
    expect(s.humanAsked).toBe(true);
    expect(s.draft).toBe('');
    expect(s.entries.at(-1)).toMatchObject({ kind: 'system', text: 'Asking for a human engineer…' });
    expect(s.entries.some((e) => e.kind === 'message')).toBe(false);
  });

  it('/human alone sends request_human without a reason; a second one before the hand-over sends nothing', async () => {
    const { server, session } = await setup({ helper: 'ai' });
    session.sendChat('/human');
    await waitFor(() => server.received.length > 0, 'sent');
    expect(server.events.at(-1)?.payload).toEqual({});
    session.sendChat('/HUMAN please');
    expect(session.store.getState().notice?.text).toBe(
      'A human engineer was asked for already; the AI is handing over.',
    );
    expect(server.received.map((r) => r.type)).toEqual(['request_human']);
  });

  it('/humanx and text that merely mentions /human are ordinary chat', async () => {
    const { server, session } = await setup({ helper: 'ai' });
    session.sendChat('/humanx');
    session.sendChat('what does /human do?');
    await waitFor(() => server.received.length === 2, 'both sent');
    expect(server.events.slice(-2).map((e) => [e.type, e.payload.text])).toEqual([
      ['customer_message', '/humanx'],
      ['customer_message', 'what does /human do?'],
    ]);
  });

  it('a reason over the limit is refused with the limit, nothing sent', async () => {
    const { server, session } = await setup({ helper: 'ai' });
    session.sendChat(`/human ${'x'.repeat(1_001)}`);
    expect(session.store.getState().notice?.text).toBe('The reason after /human is limited to 1000 characters.');
    expect(server.received).toEqual([]);
  });

  it('with a human engineer already helping, /human says so and sends nothing', async () => {
    const { server, session } = await setup();
    session.setDraft('/human');
    session.sendChat('/human');
    expect(session.store.getState().notice).toEqual({ text: 'A human engineer is already helping you.', tone: 'warn' });
    expect(session.store.getState().draft).toBe('');
    expect(server.received).toEqual([]);
  });

  it('a refusal from the server is shown, and /human can be typed again', async () => {
    const { server, session } = await setup({ helper: 'ai' });
    server.refuseNext('E_CONFLICT', 'The AI no longer leads this task.');
    session.sendChat('/human');
    await waitFor(() => !session.store.getState().humanAsked, 'refusal applied');
    expect(session.store.getState().notice).toEqual({
      text: 'Could not ask for a human engineer: The AI no longer leads this task.',
      tone: 'error',
    });
    session.sendChat('/human');
    await waitFor(() => server.received.length === 2, 'asked again');
    expect(server.received.map((r) => r.type)).toEqual(['request_human', 'request_human']);
  });
});

describe('--resume of a task that ended meanwhile', () => {
  const endedTask = (rating: number | null) =>
    ({
      id: 't9',
      status: 'ended',
      engineer: { id: 'e', name: 'Maria', title: null },
      endedBy: 'system',
      endReason: 'The customer was disconnected for more than 5 minutes.',
      durationSeconds: 370,
      billedMinutes: 2,
      creditsUsed: 2,
      rating,
    }) as unknown;

  function resume(task: unknown) {
    const gets: string[] = [];
    const api = {
      baseUrl: 'http://127.0.0.1:9',
      accessToken: async () => 'good-token',
      get: async (path: string) => {
        gets.push(path);
        return task as never;
      },
      post: async () => {
        throw new Error('nothing is posted');
      },
    } as unknown as ApiClient;
    const session = createLiveSession({
      api,
      local: fakeLocal().local,
      customerName: 'Ann',
      resumeTaskId: 't9',
      backoff: { initialMs: 5, maxMs: 10 },
    });
    cleanups.push(() => session.abort());
    session.start();
    return { session, gets };
  }

  it('shows the server figures and asks for the rating, without connecting', async () => {
    const { session, gets } = resume(endedTask(null));
    await waitFor(() => session.store.getState().summary, 'summary');
    const s = session.store.getState();
    expect(s.summary).toEqual({
      endedBy: 'system',
      reason: 'The customer was disconnected for more than 5 minutes.',
      engineer: 'Maria',
      durationSeconds: 370,
      billedMinutes: 2,
      creditsUsed: 2,
    });
    expect(s.phase).toBe('rating');
    expect(s.connection.kind).not.toBe('connected');
    // The task, and the AI's terms the header would show: nothing that opens a session.
    expect(gets.filter((path) => path !== '/v1/ai')).toEqual(['/v1/tasks/t9']);
  });

  it('leaves with the summary line (exit 0) when the session is already rated', async () => {
    const { session } = resume(endedTask(4));
    const outcome = await session.done;
    expect(outcome).toMatchObject({
      exitCode: 0,
      message: 'Session ended with Maria: 6 min 10 s (2 minutes billed), 2 credits used.',
    });
  });
});
