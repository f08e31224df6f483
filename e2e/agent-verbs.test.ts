/**
 * The agent-driven story through the `--json` verbs of the real, built CLI against a real
 * server and a scripted engineer on a real WebSocket: ask → the engineer replies → messages
 * returns it; a command request → share-output → the engineer receives the output with the
 * planted secret masked; a file outside the project refused; a file inside shared; a request
 * declined; end with a rating. Then the failures an agent meets: not logged in, server down,
 * unknown task, another customer's task, malformed arguments. Every stdout and stderr is
 * scanned for the tokens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import type { TestSession } from '../packages/server/test/support/wsClient';
import {
  type AgentWorld,
  createAgentWorld,
  expectNoToken,
  OUTSIDE_FILE,
  otherCustomersTask,
  PLANTED_SECRET,
  taskOf,
} from './agent-harness';
import { engineerJoins, outputOf, requestCommand, requestFile, startFix, waitForFrame } from './fix-harness';
import { type CliResult, createTempHome, runCli, stopCli } from './harness/cli';

let world: AgentWorld | undefined;
let engineer: TestSession | undefined;
const printed: { where: string; text: string }[] = [];
afterEach(async () => {
  await engineer?.close();
  await world?.cleanup();
  world = undefined;
  engineer = undefined;
  printed.length = 0;
});

/** A world for this test, cleaned up after it. */
async function newWorld(): Promise<AgentWorld> {
  world = await createAgentWorld();
  return world;
}

/** Runs `codevf <args> --json` in the project as the logged-in customer; returns the envelope. */
async function verb<T = Record<string, unknown>>(
  w: AgentWorld,
  args: string[],
  options: { input?: string; env?: Record<string, string | undefined>; home?: string } = {},
): Promise<{
  result: CliResult;
  body: { ok: boolean; data: T; error: { code: string; message: string; hint: string } };
}> {
  const result = await runCli([...args, '--json'], {
    home: options.home ?? w.home,
    cwd: w.project,
    input: options.input,
    env: { CODEVF_API_URL: w.server.baseUrl, ...options.env },
    timeoutMs: 70_000,
  });
  printed.push(
    { where: `stdout of ${args[0]}`, text: result.stdout },
    { where: `stderr of ${args[0]}`, text: result.stderr },
  );
  // stdout is exactly one JSON document.
  return { result, body: JSON.parse(result.stdout) };
}

// Each test spawns the CLI a dozen times or more: generous bounds for a loaded machine.
describe('agent verbs (--json) against a real server', { timeout: 180_000 }, () => {
  it('the whole story: ask, messages, share-output (secret masked), share-file refused and shared, decline, reply, end with a rating', async () => {
    const w = await newWorld();

    const status0 = await verb(w, ['status']);
    expect(status0.body).toMatchObject({
      ok: true,
      data: { loggedIn: true, serverReachable: true, baseUrl: w.server.baseUrl, projectId: w.projectId, openTasks: [] },
    });

    const asked = await verb<{ taskId: string; status: string; contextFiles: unknown[] }>(w, [
      'ask',
      'the login test fails since deploy 42',
      '--mode',
      'human',
      '--context-file',
      'notes.txt',
    ]);
    expect(asked.result.code).toBe(0);
    expect(asked.body.data).toMatchObject({ status: 'queued', contextFiles: [{ path: 'notes.txt', redactions: 0 }] });
    const taskId = asked.body.data.taskId;
    expect((await taskOf(w, taskId)).driver).toBe('agent');

    const listed = await verb<{ tasks: { id: string; driver: string; status: string }[] }>(w, [
      'tasks',
      '--status',
      'queued',
    ]);
    expect(listed.body.data.tasks).toEqual([
      expect.objectContaining({ id: taskId, driver: 'agent', status: 'queued' }),
    ]);
    const status1 = await verb<{ openTasks: { id: string }[] }>(w, ['status']);
    expect(status1.body.data.openTasks.map((t) => t.id)).toEqual([taskId]);

    // The engineer joins and writes; messages waits for it and returns it.
    engineer = await engineerJoins(w, taskId);
    await engineer.expectAck('engineer_message', { text: 'Hi! Which test fails?' });
    const first = await verb<{ events: { type: string; from?: string; text?: string }[]; nextAfter: number }>(w, [
      'messages',
      taskId,
      '--wait',
      '20',
    ]);
    expect(first.body.data.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'message',
          from: 'customer',
          text: expect.stringContaining('login fails after deploy 42'),
        }),
        expect.objectContaining({ type: 'message', from: 'engineer', text: 'Hi! Which test fails?' }),
      ]),
    );
    let after = first.body.data.nextAfter;

    // A command request: listed with its id and state, answered with captured output.
    const commandId = await requestCommand(engineer, 'npm test', 'to see the failure');
    const withRequest = await verb<{
      events: Record<string, unknown>[];
      pendingRequests: unknown[];
      nextAfter: number;
    }>(w, ['messages', taskId, '--after', String(after), '--wait', '20']);
    expect(withRequest.body.data.events).toContainEqual(
      expect.objectContaining({
        type: 'request',
        requestId: commandId,
        kind: 'command',
        command: 'npm test',
        state: 'pending',
      }),
    );
    expect(withRequest.body.data.pendingRequests).toEqual([expect.objectContaining({ requestId: commandId })]);
    after = withRequest.body.data.nextAfter;

    const output = `FAIL auth.test.ts\n  connecting with DB_PASSWORD=${PLANTED_SECRET}\nTests: 1 failed\n`;
    const shared = await verb(w, ['share-output', taskId, commandId, '--file', '-', '--exit-code', '1'], {
      input: output,
    });
    expect(shared.body, JSON.stringify(shared.body)).toMatchObject({
      ok: true,
      data: { requestId: commandId, command: 'npm test', redactions: 1 },
    });
    const result = await waitForFrame(engineer, 'command_result', commandId);
    expect(result.payload).toMatchObject({ exitCode: 1, redactions: 1, truncated: false });
    const received = outputOf(engineer, commandId);
    expect(received).toContain('FAIL auth.test.ts');
    expect(received).toContain('[REDACTED:');
    expect(received).not.toContain(PLANTED_SECRET);

    // A file outside the project: refused, and the engineer is told why.
    const outsideId = await requestFile(engineer, `../${OUTSIDE_FILE}`);
    const refused = await verb(w, ['share-file', taskId, outsideId]);
    expect(refused.result.code).toBe(1);
    expect(refused.body.error).toMatchObject({
      code: 'E_FORBIDDEN',
      message: expect.stringContaining('escapes the project'),
    });
    const refusal = await waitForFrame(engineer, 'approve_file', outsideId);
    expect(refusal.payload).toMatchObject({ approved: false, refusedReason: 'path escapes the project root' });
    expect(engineer.frames.some((f) => f.type === 'file_upload')).toBe(false);

    // A file inside: sent whole.
    const notesId = await requestFile(engineer, 'notes.txt');
    const sentFile = await verb(w, ['share-file', taskId, notesId]);
    expect(sentFile.body, JSON.stringify(sentFile.body)).toMatchObject({
      ok: true,
      data: { path: 'notes.txt', redactions: 0 },
    });
    const upload = await waitForFrame(engineer, 'file_upload', notesId);
    expect(upload.payload).toMatchObject({ path: 'notes.txt', content: 'login fails after deploy 42\n' });

    // A request declined with a reason the engineer reads.
    const rmId = await requestCommand(engineer, 'rm -rf node_modules', 'clean install');
    const declined = await verb(w, ['decline', taskId, rmId, '--reason', 'not on this machine']);
    expect(declined.body).toMatchObject({ ok: true, data: { declined: true } });
    const decision = await waitForFrame(engineer, 'approve_command', rmId);
    expect(decision.payload).toMatchObject({ approved: false, reason: 'not on this machine' });
    // Answering it again is a conflict, not a crash.
    const again = await verb(w, ['decline', taskId, rmId]);
    expect(again.body.error.code).toBe('E_CONFLICT');

    // The states as the fold sees them now.
    const states = await verb<{
      events: { type: string; requestId?: string; state?: string }[];
      pendingRequests: unknown[];
    }>(w, ['messages', taskId, '--after', String(after)]);
    const stateOf = (id: string) => states.body.data.events.find((e) => e.requestId === id)?.state;
    expect([stateOf(outsideId), stateOf(notesId), stateOf(rmId)]).toEqual(['denied', 'completed', 'denied']);
    expect(states.body.data.pendingRequests).toEqual([]);

    const replied = await verb(w, ['reply', taskId, `thanks, the password was ${PLANTED_SECRET}`]);
    expect(replied.body).toMatchObject({ ok: true, data: { redactions: 1 } });
    const chat = await engineer.waitFor(
      (f) => f.type === 'customer_message' && String((f.payload as { text: string }).text).startsWith('thanks'),
    );
    expect((chat.payload as { text: string }).text).not.toContain(PLANTED_SECRET);

    const ended = await verb(w, ['end', taskId, '--rating', '5', '--feedback', 'found it fast']);
    expect(ended.body).toMatchObject({ ok: true, data: { status: 'ended', endedNow: true, rating: 5 } });
    expect(await taskOf(w, taskId)).toMatchObject({ status: 'ended', rating: 5 });
    const endedList = await verb<{ tasks: { id: string; rating: number }[] }>(w, ['tasks', '--status', 'ended']);
    expect(endedList.body.data.tasks).toEqual([expect.objectContaining({ id: taskId, rating: 5 })]);

    for (const p of printed) expectNoToken(w.tokens, p.where, p.text);
  });

  it('share-output after a share that stopped half way: the same output goes on where it stopped; other output is sent whole after it', async () => {
    const w = await newWorld();
    const asked = await verb<{ taskId: string }>(w, ['ask', 'the build is red', '--mode', 'human']);
    const taskId = asked.body.data.taskId;
    engineer = await engineerJoins(w, taskId);
    /** What an interrupted share left: the request approved and the first part of its output sent. */
    const interruptedShare = async (requestId: string, sent: string) => {
      for (const [type, payload] of [
        ['approve_command', { requestId, approved: true, scope: 'once' }],
        ['command_output', { requestId, stream: 'stdout', data: sent }],
      ] as const) {
        const res = await api(w.server.baseUrl, w.customer, 'POST', `/v1/tasks/${taskId}/messages`, { type, payload });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
      await waitForFrame(engineer as TestSession, 'command_output', requestId);
    };
    const output = `line one\nDB_PASSWORD=${PLANTED_SECRET}\nline three\n`;

    const sameId = await requestCommand(engineer, 'npm run build');
    await interruptedShare(sameId, 'line one\n');
    // Approved already: declining it now is a conflict that says how to finish it.
    const late = await verb(w, ['decline', taskId, sameId]);
    expect(late.body.error).toMatchObject({
      code: 'E_CONFLICT',
      hint: `Finish it with: codevf share-output ${taskId} ${sameId} --file F`,
    });
    const resumed = await verb(w, ['share-output', taskId, sameId, '--file', '-', '--exit-code', '0'], {
      input: output,
    });
    expect(resumed.body, JSON.stringify(resumed.body)).toMatchObject({
      ok: true,
      data: { earlierOutput: 'continued', alreadySent: 9, redactions: 1 },
    });
    await waitForFrame(engineer, 'command_result', sameId);
    const once = outputOf(engineer, sameId);
    expect(once.match(/line one/g)).toHaveLength(1);
    expect(once).toMatch(/^line one\nDB_PASSWORD=\[REDACTED:[^\]]+\]\nline three\n$/);
    expect(resumed.body.data.bytesSent).toBe(Buffer.byteLength(once) - 9);
    // Finished now: a third share is a conflict, and nothing more reaches the engineer.
    const third = await verb(w, ['share-output', taskId, sameId, '--file', '-'], { input: output });
    expect(third.body.error).toMatchObject({ code: 'E_CONFLICT', message: `Request ${sameId} is already completed.` });
    expect(outputOf(engineer, sameId)).toBe(once);

    const otherId = await requestCommand(engineer, 'npm run lint');
    await interruptedShare(otherId, 'an older run\n');
    const differs = await verb(w, ['share-output', taskId, otherId, '--file', '-'], { input: output });
    expect(differs.body.data).toMatchObject({ earlierOutput: 'differs', alreadySent: 0 });
    await waitForFrame(engineer, 'command_result', otherId);
    expect(outputOf(engineer, otherId)).toMatch(
      /^an older run\nline one\nDB_PASSWORD=\[REDACTED:[^\]]+\]\nline three\n$/,
    );

    // In words, for a person: what happened to the earlier part.
    const thirdId = await requestCommand(engineer, 'npm run check');
    await interruptedShare(thirdId, 'line one\n');
    const human = await runCli(['share-output', taskId, thirdId, '--file', '-'], {
      home: w.home,
      cwd: w.project,
      input: output,
      env: { CODEVF_API_URL: w.server.baseUrl },
      timeoutMs: 70_000,
    });
    expect(human.stderr).toContain('An earlier share of this request stopped after 9 bytes; sent the rest.');
    expect(human.code).toBe(0);
  });

  it('fix --resume without an id: none open, one open (its id), several (E_VALIDATION listing them)', async () => {
    const w = await newWorld();
    // No terminal here, so a found task shows up as E_NO_TTY after the lookup; the lookup's own answers come first.
    const none = await runCli(['fix', '--resume'], {
      home: w.home,
      cwd: w.project,
      env: { CODEVF_API_URL: w.server.baseUrl },
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No open task in this project to resume.');
    const a = await verb<{ taskId: string }>(w, ['ask', 'first']);
    const one = await runCli(['fix', '--resume'], {
      home: w.home,
      cwd: w.project,
      env: { CODEVF_API_URL: w.server.baseUrl },
    });
    expect(one.stderr).toContain('needs a terminal');
    const b = await verb<{ taskId: string }>(w, ['ask', 'second']);
    const several = await runCli(['fix', '--resume'], {
      home: w.home,
      cwd: w.project,
      env: { CODEVF_API_URL: w.server.baseUrl },
    });
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('Several open tasks:');
    expect(several.stderr).toContain(a.body.data.taskId);
    expect(several.stderr).toContain(b.body.data.taskId);
    expect(several.stderr).toContain('Hint: Run: codevf fix --resume ');
  });

  it('fix --resume without an id, in a terminal: the person takes over the agent’s one open task', async () => {
    const w = await newWorld();
    const asked = await verb<{ taskId: string }>(w, ['ask', 'the agent got stuck']);
    engineer = await engineerJoins(w, asked.body.data.taskId);
    await engineer.expectAck('engineer_message', { text: 'hello from maria' });
    const cli = await startFix(w, { args: ['fix', '--resume'] });
    try {
      await cli.waitFor('Maria: hello from maria');
    } finally {
      await stopCli(cli);
    }
  });

  it('failures: not logged in, server down, unknown task, another customer’s task, malformed arguments', async () => {
    const w = await newWorld();
    const { home: emptyHome, cleanup } = createTempHome('codevf-agent-nologin-');
    try {
      const notLoggedIn = await verb(w, ['messages', 'anything'], { home: emptyHome });
      expect(notLoggedIn.result.code).toBe(4);
      expect(notLoggedIn.body.error).toMatchObject({ code: 'E_NOT_LOGGED_IN', hint: 'Run: codevf login' });
      const askNoLogin = await verb(w, ['ask', 'help'], { home: emptyHome });
      expect(askNoLogin.body.error.code).toBe('E_NOT_LOGGED_IN');
    } finally {
      cleanup();
    }

    const baseUrl = w.server.baseUrl;
    const unknown = await verb(w, ['messages', 'no_such_task']);
    expect(unknown.result.code).toBe(1);
    expect(unknown.body.error.code).toBe('E_NOT_FOUND');

    const theirs = await otherCustomersTask(w);
    for (const args of [
      ['messages', theirs],
      ['reply', theirs, 'hello'],
      ['end', theirs],
      ['decline', theirs, 'r_1'],
    ]) {
      const res = await verb(w, args);
      expect(res.body.error.code, args[0]).toBe('E_NOT_FOUND');
    }
    const stillOpen = await api(baseUrl, { token: w.engineer.token }, 'GET', '/v1/queue');
    expect(stillOpen.body.tasks.map((t: { id: string }) => t.id)).toContain(theirs);

    const malformed = await verb(w, ['messages', theirs, '--wait', '90']);
    expect(malformed.result.code).toBe(2);
    expect(malformed.body.error).toMatchObject({ code: 'E_VALIDATION', message: expect.stringContaining('--wait') });

    await w.server.close();
    const serverDown = await verb(w, ['tasks']);
    expect(serverDown.result.code).toBe(5);
    expect(serverDown.body.error.code).toBe('E_UNREACHABLE');
    const statusDown = await verb<{ loggedIn: boolean; serverReachable: boolean }>(w, ['status']);
    expect(statusDown.body).toMatchObject({ ok: true, data: { loggedIn: true, serverReachable: false } });

    for (const p of printed) expectNoToken(w.tokens, p.where, p.text);
  });
});
