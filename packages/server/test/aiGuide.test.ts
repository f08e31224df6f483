import type { AiTaskList, Task } from '@codevf/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AI_USER_ID } from '../src/ai/aiUser';
import { asAi } from './support/aiFixture';
import { aiSettings } from './support/aiSettings';
import { api } from './support/api';
import { claim, createTask, type Party, party, tick } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession, refusedUpgrade, type TestSession } from './support/wsClient';

describe.each(['sqlite', 'postgres'] as const)('vibe mode: engineers guiding the AI (%s)', (dialect) => {
  let server: TestServer;
  let customer: Party;
  let guide: Party;
  const open: TestSession[] = [];
  const url = () => server.baseUrl;
  const connect = async (taskId: string, who: Party) => {
    const s = await openSession({ baseUrl: url(), taskId, token: who.token });
    open.push(s);
    return s;
  };
  const aiTasks = async (who: Party) => api<AiTaskList>(url(), who, 'GET', '/v1/ai/tasks');

  beforeAll(async () => {
    server = await startTestServer({ dialect, config: { ai: aiSettings() } });
    customer = await party(server, 'customer', 100);
    guide = await party(server, 'engineer', 0, 'Principal engineer');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    for (const t of (await api(url(), customer, 'GET', '/v1/tasks')).body.tasks as Task[])
      if (t.status !== 'ended') await api(url(), customer, 'POST', `/v1/tasks/${t.id}/end`, {});
  });
  afterAll(async () => server?.close());

  it('lists AI-led tasks for engineers, with denied requests and guides', async () => {
    const task = await createTask(url(), customer, { mode: 'ai', description: 'slow build' });
    const human = await createTask(url(), customer, { mode: 'human' });
    const c = await connect(task.id, customer);
    for (const approved of [false, false]) {
      const seq = await asAi(server, task.id, 'request_command', { command: 'npm run build', reason: 'time it' });
      const { requestId } = (await c.waitForSeq(seq!)).payload as { requestId: string };
      await c.expectAck('approve_command', { requestId, approved });
    }
    await asAi(server, task.id, 'request_file', { path: 'webpack.config.js', reason: 'look' });

    let list = await aiTasks(guide);
    expect(list.status).toBe(200);
    const row = list.body.tasks.find((t) => t.id === task.id);
    expect(row).toMatchObject({ description: 'slow build', aiLed: true, deniedRequests: 2, guides: [] });
    expect(list.body.tasks.map((t) => t.id)).not.toContain(human.id);

    expect((await api(url(), guide, 'POST', `/v1/tasks/${task.id}/guide`)).status).toBe(200);
    list = await aiTasks(guide);
    expect(list.body.tasks.find((t) => t.id === task.id)?.guides).toEqual([
      { id: guide.user.id, name: guide.user.name },
    ]);
    expect((await api(url(), customer, 'GET', '/v1/ai/tasks')).body.code).toBe('E_FORBIDDEN');
    expect((await api(url(), {}, 'GET', '/v1/ai/tasks')).status).toBe(401);
  });

  it('lets a guide read the whole session and write guidance that the customer sees, and nothing else', async () => {
    const task = await createTask(url(), customer, { mode: 'ai' });
    const c = await connect(task.id, customer);
    await c.expectAck('customer_message', { text: 'the build takes 9 minutes' });
    // An engineer sees the AI-led task but may not join it before guiding.
    expect((await api(url(), guide, 'GET', `/v1/tasks/${task.id}`)).body).toMatchObject({ aiLed: true });
    expect((await api(url(), guide, 'GET', `/v1/tasks/${task.id}/events`)).body.code).toBe('E_FORBIDDEN');
    expect((await refusedUpgrade(url(), task.id, { token: guide.token })).body.code).toBe('E_FORBIDDEN');

    const joined = await api<Task>(url(), guide, 'POST', `/v1/tasks/${task.id}/guide`);
    expect(joined.body).toMatchObject({ id: task.id, aiLed: true, engineer: { id: AI_USER_ID } });
    // Joining again changes nothing.
    expect((await api(url(), guide, 'POST', `/v1/tasks/${task.id}/guide`)).status).toBe(200);
    const g = await connect(task.id, guide);
    expect(g.welcome?.payload).toMatchObject({ role: 'guide', status: 'active' });
    await g.waitFor((f) => f.type === 'customer_message');

    const seq = await g.expectAck('guide_message', { text: 'Try caching node_modules first.' });
    const seen = await c.waitForSeq(seq);
    expect(seen).toMatchObject({
      type: 'guide_message',
      payload: { text: 'Try caching node_modules first.', guide: { id: guide.user.id, name: guide.user.name } },
    });
    // The transcript keeps it, for the AI to read as instructions.
    const events = (await api(url(), guide, 'GET', `/v1/tasks/${task.id}/events`)).body.events;
    expect(events.find((e: { seq: number }) => e.seq === seq)).toMatchObject({ senderId: guide.user.id });

    for (const [type, payload] of [
      ['engineer_message', { text: 'hi' }],
      ['request_command', { command: 'ls', reason: '' }],
      ['request_file', { path: 'a.txt', reason: '' }],
      ['customer_message', { text: 'hi' }],
      ['approve_command', { requestId: 'x', approved: true }],
      ['request_human', {}],
      ['end_session', {}],
    ] as const)
      expect(await g.expectError(type, payload), type).toBe('E_FORBIDDEN');
    expect(await g.expectError('guide_message', { text: '' })).toBe('E_VALIDATION');
    const end = await api(url(), guide, 'POST', `/v1/tasks/${task.id}/end`, {});
    expect(end.body.code).toBe('E_FORBIDDEN');
    // A guide is not a participant whose presence is recorded (or billed).
    const after = (await api(url(), customer, 'GET', `/v1/tasks/${task.id}/events`)).body.events as {
      type: string;
      payload: { engineer?: { id: string } };
    }[];
    expect(after.filter((e) => e.type === 'engineer_connected').map((e) => e.payload.engineer?.id)).toEqual([
      AI_USER_ID,
    ]);
    // Nobody else writes guidance: not the customer, not the AI.
    expect(await c.expectError('guide_message', { text: 'me too' })).toBe('E_FORBIDDEN');
    await expect(asAi(server, task.id, 'guide_message', { text: 'self-guided' })).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
  });

  it('refuses guiding a task the AI does not lead, and guiding by anyone but engineers', async () => {
    const human = await createTask(url(), customer, { mode: 'human' });
    const refused = await api(url(), guide, 'POST', `/v1/tasks/${human.id}/guide`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('E_CONFLICT');
    await claim(url(), guide, human.id);
    expect((await api(url(), guide, 'POST', `/v1/tasks/${human.id}/guide`)).body.code).toBe('E_CONFLICT');
    // The engineer of a human task has no guidance to give either.
    const e = await connect(human.id, guide);
    expect(await e.expectError('guide_message', { text: 'hm' })).toBe('E_FORBIDDEN');

    const task = await createTask(url(), customer);
    expect((await api(url(), customer, 'POST', `/v1/tasks/${task.id}/guide`)).body.code).toBe('E_FORBIDDEN');
    expect((await api(url(), guide, 'POST', '/v1/tasks/no-such-task/guide')).body.code).toBe('E_NOT_FOUND');
    await api(url(), customer, 'POST', `/v1/tasks/${task.id}/end`, {});
    // An ended task is not the engineer's to see at all.
    expect((await api(url(), guide, 'POST', `/v1/tasks/${task.id}/guide`)).body.code).toBe('E_NOT_FOUND');
  });

  it('lets a guide take over: the AI leaves, the guide is the engineer, other guides are let go', async () => {
    const other = await party(server, 'engineer', 0, 'Second guide');
    const task = await createTask(url(), customer, { mode: 'ai' });
    const c = await connect(task.id, customer);
    // Not guiding yet: no take-over.
    const early = await api(url(), guide, 'POST', `/v1/tasks/${task.id}/takeover`);
    expect(early.status).toBe(403);
    expect(early.body.code).toBe('E_FORBIDDEN');
    await api(url(), guide, 'POST', `/v1/tasks/${task.id}/guide`);
    await api(url(), other, 'POST', `/v1/tasks/${task.id}/guide`);
    const g = await connect(task.id, guide);
    const o = await connect(task.id, other);
    const pending = await asAi(server, task.id, 'request_command', { command: 'npm ci', reason: 'reinstall' });
    await c.waitForSeq(pending!);

    const res = await api<Task>(url(), guide, 'POST', `/v1/tasks/${task.id}/takeover`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'active',
      mode: 'hybrid',
      aiLed: false,
      engineer: { id: guide.user.id },
      claimedAt: task.claimedAt,
      handoff: { reason: 'engineer_took_over' },
    });
    const handoff = await c.waitFor('handoff');
    expect(handoff.payload).toMatchObject({ from: 'ai', reason: 'engineer_took_over' });
    expect(handoff.payload.summary).toMatch(/^Summary written by the server/);
    await c.waitFor((f) => f.type === 'engineer_disconnected' && f.payload.engineerId === AI_USER_ID);
    // No trip through the queue.
    expect(c.events.filter((f) => f.type === 'task_status').map((f) => f.payload.status)).toEqual(['active']);
    expect(c.events.some((f) => f.type === 'request_expired')).toBe(true);

    // Guide sockets are let go by the next access sweep; the one who took over rejoins as the engineer.
    expect(await o.expectError('guide_message', { text: 'still there?' })).toBe('E_CONFLICT');
    await tick(server);
    expect((await g.closed).code).toBe(4003);
    expect((await o.closed).code).toBe(4003);
    const e = await connect(task.id, guide);
    expect(e.welcome?.payload).toMatchObject({ role: 'engineer' });
    const arrived = await c.waitFor((f) => f.type === 'engineer_connected' && f.payload.kind === 'human');
    expect(arrived.payload.engineer).toMatchObject({ id: guide.user.id });
    expect(await e.expectAck('engineer_message', { text: 'I have it from here.' })).toBeGreaterThan(0);

    expect((await api(url(), other, 'POST', `/v1/tasks/${task.id}/takeover`)).body.code).toBe('E_NOT_FOUND');
    expect((await api(url(), guide, 'POST', `/v1/tasks/${task.id}/takeover`)).body.code).toBe('E_CONFLICT');
    expect((await api(url(), other, 'POST', `/v1/tasks/${task.id}/guide`)).body.code).toBe('E_NOT_FOUND');
  });
});
