import type { Task } from '@codevf/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AI_USER_ID } from '../src/ai/aiUser';
import { ApiError } from '../src/http/errors';
import { handOff } from '../src/tasks/handoff';
import { asAi, taskAiRow } from './support/aiFixture';
import { aiSettings } from './support/aiSettings';
import { api } from './support/api';
import { claim, createTask, type Party, party } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

type Ev = { type: string; payload: Record<string, unknown>; seq: number };

describe.each(['sqlite', 'postgres'] as const)('the AI hands a task over to a human (%s)', (dialect) => {
  let server: TestServer;
  let customer: Party;
  let engineer: Party;
  const open: TestSession[] = [];
  const url = () => server.baseUrl;
  const events = async (taskId: string): Promise<Ev[]> =>
    (await api(url(), customer, 'GET', `/v1/tasks/${taskId}/events`)).body.events;
  const view = async (taskId: string, who: Party = customer): Promise<Task> =>
    (await api<Task>(url(), who, 'GET', `/v1/tasks/${taskId}`)).body;
  const connect = async (taskId: string, who: Party = customer, lastSeq = 0) => {
    const s = await openSession({ baseUrl: url(), taskId, token: who.token, lastSeq });
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startTestServer({ dialect, config: { ai: aiSettings() } });
    customer = await party(server, 'customer', 100);
    engineer = await party(server, 'engineer', 0, 'Staff engineer');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    // Every test starts with an empty queue: positions are asserted.
    for (const t of (await api(url(), customer, 'GET', '/v1/tasks')).body.tasks as Task[])
      if (t.status !== 'ended') await api(url(), customer, 'POST', `/v1/tasks/${t.id}/end`, {});
  });
  afterAll(async () => server?.close());

  it('hands over when the AI decides, with its summary: requests expire, the AI leaves, the task queues in its place', async () => {
    const earlier = await createTask(url(), customer, { mode: 'human' });
    const task = await createTask(url(), customer, { mode: 'ai', description: 'login broken' });
    const c = await connect(task.id);
    await asAi(server, task.id, 'engineer_message', { text: 'Let me run the tests.' });
    const asked = await asAi(server, task.id, 'request_command', { command: 'npm test', reason: 'see the failure' });
    const request = (await c.waitForSeq(asked!)).payload as { requestId: string };

    const { event, queued } = await handOff(server.ctx, task.id, {
      reason: 'ai_decided',
      summary: '  The auth middleware rejects valid tokens; needs someone with the staging keys.  ',
    });
    expect(queued).toBe(true);
    const after = (await c.waitFor((f) => f.type === 'task_status' && f.seq! > event.seq)).seq!;
    const tail = c.relayed(event.seq - 1).filter((f) => f.seq! <= after);
    expect(tail.map((f) => [f.type, f.payload])).toEqual([
      [
        'handoff',
        {
          from: 'ai',
          reason: 'ai_decided',
          summary: 'The auth middleware rejects valid tokens; needs someone with the staging keys.',
        },
      ],
      ['request_expired', { requestId: request.requestId }],
      ['engineer_disconnected', { engineerId: AI_USER_ID }],
      ['task_status', { status: 'queued', queuePosition: 2, estimatedWaitSeconds: expect.any(Number) }],
    ]);

    const t = await view(task.id);
    expect(t).toMatchObject({
      status: 'queued',
      mode: 'hybrid',
      aiLed: false,
      engineer: null,
      claimedAt: task.claimedAt,
      queuePosition: 2,
      handoff: {
        reason: 'ai_decided',
        summary: 'The auth middleware rejects valid tokens; needs someone with the staging keys.',
        at: expect.any(String),
      },
    });
    expect(await taskAiRow(server, task.id)).toMatchObject({ ended_at: t.handoff!.at, lease_instance: null });
    const req = await server.ctx.storage.db
      .selectFrom('task_requests')
      .select('state')
      .where('id', '=', request.requestId)
      .executeTakeFirst();
    expect(req?.state).toBe('expired');
    // A task created afterwards waits behind it; the one created before stays first.
    const later = await createTask(url(), customer, { mode: 'human' });
    expect(later.queuePosition).toBe(3);
    expect((await view(earlier.id)).queuePosition).toBe(1);
    // The AI is gone: it can no longer act in the task.
    await expect(asAi(server, task.id, 'engineer_message', { text: 'still here?' })).rejects.toMatchObject({
      code: 'E_CONFLICT',
    });
  });

  it('moves the tasks behind a handed-over task down the queue, each told once', async () => {
    const task = await createTask(url(), customer);
    const behind = await createTask(url(), customer, { mode: 'human' });
    expect(behind.queuePosition).toBe(1);
    const w = await connect(behind.id);
    await handOff(server.ctx, task.id, { reason: 'budget_exhausted', detail: 'The AI used its 60 model calls.' });
    const moved = await w.waitFor((f) => f.type === 'task_status' && f.payload.queuePosition === 2);
    expect(moved.payload.status).toBe('queued');
    expect((await view(task.id)).queuePosition).toBe(1);
    const told = (await events(behind.id)).filter((e) => e.type === 'task_status');
    expect(told.map((e) => e.payload.queuePosition)).toEqual([1, 2]);
  });

  it('writes the summary itself when the model gives none: the task, what the customer said, requests and outcomes, the last AI words', async () => {
    const task = await createTask(url(), customer, { description: 'npm test fails after the upgrade to Node 24' });
    const c = await connect(task.id);
    await c.expectAck('customer_message', { text: 'It says ECONNREFUSED 127.0.0.1:5432' });
    const denied = await asAi(server, task.id, 'request_command', { command: 'npm test', reason: 'reproduce' });
    const deniedId = ((await c.waitForSeq(denied!)).payload as { requestId: string }).requestId;
    await c.expectAck('approve_command', { requestId: deniedId, approved: false });
    const file = await asAi(server, task.id, 'request_file', { path: 'src/db.ts', reason: 'connection settings' });
    const fileId = ((await c.waitForSeq(file!)).payload as { requestId: string }).requestId;
    await c.expectAck('approve_file', { requestId: fileId, approved: true });
    const content = 'export const port = 5432;\n';
    const { createHash } = await import('node:crypto');
    await c.expectAck('file_upload', {
      requestId: fileId,
      path: 'src/db.ts',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      encoding: 'utf8',
      content,
      redactions: 0,
    });
    const ran = await asAi(server, task.id, 'request_command', { command: 'docker ps', reason: 'is the db up' });
    const ranId = ((await c.waitForSeq(ran!)).payload as { requestId: string }).requestId;
    await c.expectAck('approve_command', { requestId: ranId, approved: true, scope: 'once' });
    await c.expectAck('command_result', {
      requestId: ranId,
      exitCode: 0,
      durationMs: 120,
      truncated: false,
      redactions: 0,
    });
    await asAi(server, task.id, 'request_command', { command: 'npm run db:up', reason: 'start it' });
    await asAi(server, task.id, 'engineer_message', { text: 'The database container is not running.' });

    const { event } = await handOff(server.ctx, task.id, {
      reason: 'model_failed',
      detail: 'The model timed out 3 times in a row.',
    });
    const handoff = JSON.parse(event.payloadJson) as { summary: string; detail: string };
    expect(handoff.detail).toBe('The model timed out 3 times in a row.');
    expect(handoff.summary.split('\n')).toEqual([
      'Summary written by the server from the transcript.',
      'Task: npm test fails after the upgrade to Node 24',
      'Customer said:',
      '- It says ECONNREFUSED 127.0.0.1:5432',
      'AI requests:',
      '- run `npm test`: denied',
      '- read src/db.ts: approved, sent',
      '- run `docker ps`: approved, exit code 0',
      '- run `npm run db:up`: no answer yet',
      'Last AI message: The database container is not running.',
    ]);
    expect((await view(task.id)).handoff?.summary).toBe(handoff.summary);
    // The pending request expired with the hand-over.
    expect((await events(task.id)).filter((e) => e.type === 'request_expired')).toHaveLength(1);
  });

  it('lets a human claim a handed-over task and replay the whole transcript, summary included', async () => {
    const task = await createTask(url(), customer, { mode: 'ai' });
    const c = await connect(task.id);
    await c.expectAck('customer_message', { text: 'hello?' });
    await asAi(server, task.id, 'engineer_message', { text: 'Hi, I am the AI.' });
    await handOff(server.ctx, task.id, { reason: 'ai_decided', summary: 'Needs a human: flaky CI.' });
    const claimed = await claim(url(), engineer, task.id);
    expect(claimed).toMatchObject({
      status: 'active',
      mode: 'hybrid',
      aiLed: false,
      engineer: { id: engineer.user.id },
      claimedAt: task.claimedAt,
      handoff: { reason: 'ai_decided', summary: 'Needs a human: flaky CI.' },
    });
    const all = await events(task.id);
    const e = await connect(task.id, engineer);
    expect(e.welcome?.payload).toMatchObject({ role: 'engineer', status: 'active' });
    await e.waitForSeq(all[all.length - 1]!.seq);
    expect(e.events.slice(0, all.length).map((f) => f.seq)).toEqual(all.map((ev) => ev.seq));
    expect(e.events.map((f) => f.type)).toEqual(
      expect.arrayContaining(['engineer_connected', 'customer_message', 'engineer_message', 'handoff']),
    );
    // The customer sees the human arrive after the AI left.
    const joined = await c.waitFor((f) => f.type === 'engineer_connected' && f.payload.kind === 'human');
    expect(joined.payload.engineer).toMatchObject({ id: engineer.user.id, title: 'Staff engineer' });
    expect(await e.expectAck('engineer_message', { text: 'I read the summary, taking it from here.' })).toBeGreaterThan(
      0,
    );
  });

  it('hands over when the customer asks, by message (once per id) or over REST', async () => {
    const task = await createTask(url(), customer);
    const c = await connect(task.id);
    const id = 'ask-for-a-human-1';
    const seq = await c.expectAck('request_human', { reason: 'I would like a person' }, id);
    const handoff = await c.waitForSeq(seq);
    expect(handoff.type).toBe('handoff');
    expect(handoff.payload).toMatchObject({
      from: 'ai',
      reason: 'customer_asked',
      detail: 'The customer said: I would like a person',
    });
    expect(handoff.payload.summary).toMatch(/^Summary written by the server/);
    // The same message again is answered, not applied again; a new one finds no AI to hand over.
    expect(await c.expectAck('request_human', {}, id)).toBe(seq);
    expect(await c.expectError('request_human', {})).toBe('E_CONFLICT');
    expect((await events(task.id)).filter((e) => e.type === 'handoff')).toHaveLength(1);

    const rest = await createTask(url(), customer, { mode: 'ai' });
    const res = await api<Task>(url(), customer, 'POST', `/v1/tasks/${rest.id}/human`, { reason: 'stuck' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'queued', mode: 'hybrid', handoff: { reason: 'customer_asked' } });
    expect(res.body.queuePosition).toBeGreaterThanOrEqual(1);
    const again = await api(url(), customer, 'POST', `/v1/tasks/${rest.id}/human`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('E_CONFLICT');
  });

  it('refuses request_human where it makes no sense, and from anyone but the customer', async () => {
    const human = await createTask(url(), customer, { mode: 'human' });
    const c = await connect(human.id);
    expect(await c.expectError('request_human', {})).toBe('E_CONFLICT');
    expect((await api(url(), customer, 'POST', `/v1/tasks/${human.id}/human`)).body.code).toBe('E_CONFLICT');
    await claim(url(), engineer, human.id);
    const e = await connect(human.id, engineer);
    expect(await e.expectError('request_human', {})).toBe('E_FORBIDDEN');
    expect((await api(url(), engineer, 'POST', `/v1/tasks/${human.id}/human`)).body.code).toBe('E_FORBIDDEN');

    const task = await createTask(url(), customer);
    const stranger = await party(server, 'customer', 5);
    expect((await api(url(), stranger, 'POST', `/v1/tasks/${task.id}/human`)).body.code).toBe('E_NOT_FOUND');
    const bad = await api(url(), customer, 'POST', `/v1/tasks/${task.id}/human`, { reason: 7 });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('E_VALIDATION');
    const cc = await connect(task.id);
    expect(await cc.expectError('request_human', { reason: 'x'.repeat(2_000) })).toBe('E_VALIDATION');
    // The AI acts as an engineer: it can neither ask for a human nor decide its own requests.
    await expect(asAi(server, task.id, 'request_human', {})).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    const asked = await asAi(server, task.id, 'request_command', { command: 'rm -rf build', reason: 'clean' });
    const requestId = ((await cc.waitForSeq(asked!)).payload as { requestId: string }).requestId;
    await expect(
      asAi(server, task.id, 'approve_command', { requestId, approved: true, scope: 'session' }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(asAi(server, task.id, 'guide_message', { text: 'I approve' })).rejects.toBeInstanceOf(ApiError);
    expect((await events(task.id)).some((ev) => ev.type === 'approve_command')).toBe(false);

    await api(url(), customer, 'POST', `/v1/tasks/${task.id}/end`, {});
    await expect(handOff(server.ctx, task.id, { reason: 'ai_decided' })).rejects.toMatchObject({
      code: 'E_CONFLICT',
    });
    expect(await cc.expectError('request_human', {})).toBe('E_CONFLICT');
  });
});
