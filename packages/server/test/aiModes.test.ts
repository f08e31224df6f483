import type { Task } from '@codevf/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AI_USER_ID } from '../src/ai/aiUser';
import { taskAiRow } from './support/aiFixture';
import { aiSettings, TEST_AI_KEY } from './support/aiSettings';
import { api } from './support/api';
import { createTask, type Party, party } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession } from './support/wsClient';

async function project(server: TestServer, owner: Party, allowedTools: string[]): Promise<string> {
  const res = await api(server.baseUrl, owner, 'POST', '/v1/projects', { name: 'app', type: 'node', allowedTools });
  if (res.status !== 201) throw new Error(`project: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

describe('task modes on a server without an AI', () => {
  let server: TestServer;
  let customer: Party;
  beforeAll(async () => {
    server = await startTestServer();
    customer = await party(server, 'customer', 20);
  });
  afterAll(async () => server?.close());

  it('makes an omitted mode human, saying why, and refuses ai and hybrid with E_AI_UNAVAILABLE', async () => {
    const task = await createTask(server.baseUrl, customer);
    expect(task).toMatchObject({ mode: 'human', status: 'queued', aiLed: false, handoff: null });
    expect(task.modeNote).toBe('This server has no AI participant.');
    for (const mode of ['ai', 'hybrid']) {
      const res = await api(server.baseUrl, customer, 'POST', '/v1/tasks', { description: 'x', mode });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('E_AI_UNAVAILABLE');
      expect(res.body.detail).toContain(`mode "${mode}"`);
    }
    const human = await createTask(server.baseUrl, customer, { mode: 'human' });
    expect(human).toMatchObject({ mode: 'human', modeNote: null, status: 'queued' });
  });

  it('says in GET /v1/ai that no AI is offered, with the rates', async () => {
    const res = await api(server.baseUrl, customer, 'GET', '/v1/ai');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      available: false,
      name: null,
      model: null,
      vendor: null,
      freeMinutesPerDay: 30,
      freeMinutesLeft: 30,
      aiCreditsPerMinute: 1,
      humanCreditsPerMinute: 1,
    });
    expect((await api(server.baseUrl, {}, 'GET', '/v1/ai')).status).toBe(401);
  });
});

describe('task modes on a server with an AI (vendor gpt)', () => {
  let server: TestServer;
  let customer: Party;
  let engineer: Party;
  beforeAll(async () => {
    server = await startTestServer({
      config: { ai: aiSettings({ freeMinutesPerDay: 2, creditsPerMinute: 3 }), maxQueuedTasksPerCustomer: 3 },
    });
    customer = await party(server, 'customer', 20);
    engineer = await party(server, 'engineer');
  });
  afterAll(async () => server?.close());

  it('has the AI claim an omitted-mode task at once: active, the AI connected, a task_ai row', async () => {
    const task = await createTask(server.baseUrl, customer);
    expect(task).toMatchObject({
      mode: 'hybrid',
      modeNote: null,
      status: 'active',
      aiLed: true,
      handoff: null,
      engineer: { id: AI_USER_ID, name: 'Test AI', title: 'test-model-1' },
    });
    expect(task.claimedAt).toBe(task.createdAt);
    expect(task.queuePosition).toBeUndefined();
    const events = await api(server.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`);
    expect(events.body.events.map((e: { type: string; payload: unknown }) => [e.type, e.payload])).toEqual([
      ['task_status', { status: 'active' }],
      ['engineer_connected', { engineer: { id: AI_USER_ID, name: 'Test AI', title: 'test-model-1' }, kind: 'ai' }],
    ]);
    expect(await taskAiRow(server, task.id)).toMatchObject({
      started_at: task.createdAt,
      ended_at: null,
      lease_instance: null,
      model_calls: 0,
    });
    // The customer's live session shows the AI as the one helping, from the first frame.
    const c = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token });
    expect(c.welcome?.payload).toMatchObject({ status: 'active', role: 'customer' });
    expect((await c.waitFor('engineer_connected')).payload).toMatchObject({ kind: 'ai' });
    await c.close();
    // Not in the queue; nobody can claim it from the AI.
    const queue = await api(server.baseUrl, engineer, 'GET', '/v1/queue');
    expect(queue.body.tasks.map((t: Task) => t.id)).not.toContain(task.id);
    const claim = await api(server.baseUrl, engineer, 'POST', `/v1/tasks/${task.id}/claim`);
    expect(claim.status).toBe(409);
    expect(claim.body.code).toBe('E_CONFLICT');
    await api(server.baseUrl, customer, 'POST', `/v1/tasks/${task.id}/end`, {});
    expect((await taskAiRow(server, task.id))?.ended_at).not.toBeNull();
  });

  it('takes ai and hybrid as asked, and human to the queue', async () => {
    const ai = await createTask(server.baseUrl, customer, { mode: 'ai' });
    expect(ai).toMatchObject({ mode: 'ai', status: 'active', aiLed: true });
    const human = await createTask(server.baseUrl, customer, { mode: 'human' });
    expect(human).toMatchObject({ mode: 'human', status: 'queued', aiLed: false, modeNote: null, engineer: null });
    expect(human.queuePosition).toBeGreaterThanOrEqual(1);
    for (const t of [ai, human]) await api(server.baseUrl, customer, 'POST', `/v1/tasks/${t.id}/end`, {});
  });

  it("follows the project's allowed AI tools: human-only with a note, or E_AI_NOT_ALLOWED when asked", async () => {
    const claudeOnly = await project(server, customer, ['claude']);
    const omitted = await createTask(server.baseUrl, customer, { projectId: claudeOnly });
    expect(omitted).toMatchObject({ mode: 'human', status: 'queued', aiLed: false });
    expect(omitted.modeNote).toBe('This project does not allow GPT (allowed: claude).');
    for (const mode of ['ai', 'hybrid']) {
      const res = await api(server.baseUrl, customer, 'POST', '/v1/tasks', {
        description: 'x',
        mode,
        projectId: claudeOnly,
      });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('E_AI_NOT_ALLOWED');
      expect(res.body.detail).toBe('This project does not allow GPT (allowed: claude).');
    }
    const none = await project(server, customer, []);
    expect((await createTask(server.baseUrl, customer, { projectId: none })).modeNote).toBe(
      'This project does not allow GPT (allowed: none).',
    );
    const gpt = await project(server, customer, ['claude', 'GPT']);
    const allowed = await createTask(server.baseUrl, customer, { projectId: gpt });
    expect(allowed).toMatchObject({ mode: 'hybrid', status: 'active', aiLed: true, projectType: 'node' });
    for (const t of [omitted, allowed]) await api(server.baseUrl, customer, 'POST', `/v1/tasks/${t.id}/end`, {});
    const queued = await api(server.baseUrl, customer, 'GET', '/v1/tasks?status=queued');
    for (const t of queued.body.tasks as Task[])
      await api(server.baseUrl, customer, 'POST', `/v1/tasks/${t.id}/end`, {});
  });

  it('lets a customer without credits start with the AI while free minutes last, never a human', async () => {
    const broke = await party(server, 'customer', 0);
    const ai = await createTask(server.baseUrl, broke);
    expect(ai).toMatchObject({ mode: 'hybrid', aiLed: true, creditsRemaining: 0 });
    const human = await api(server.baseUrl, broke, 'POST', '/v1/tasks', { description: 'x', mode: 'human' });
    expect(human.status).toBe(402);
    expect(human.body.code).toBe('E_INSUFFICIENT_CREDITS');
    const info = await api(server.baseUrl, broke, 'GET', '/v1/ai');
    expect(info.body).toMatchObject({ available: true, freeMinutesPerDay: 2, freeMinutesLeft: 2 });
  });

  it('counts running AI sessions against the per-customer limit', async () => {
    const busy = await party(server, 'customer', 50);
    const running = [];
    for (let i = 0; i < 3; i++) running.push(await createTask(server.baseUrl, busy));
    const res = await api(server.baseUrl, busy, 'POST', '/v1/tasks', { description: 'one more' });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('E_LIMIT_REACHED');
    expect(res.body.detail).toMatch(/sessions with the AI running/);
    // The queue is counted apart: a human task still fits.
    expect((await createTask(server.baseUrl, busy, { mode: 'human' })).status).toBe('queued');
    await api(server.baseUrl, busy, 'POST', `/v1/tasks/${running[0]!.id}/end`, {});
    expect((await createTask(server.baseUrl, busy)).aiLed).toBe(true);
  });

  it('tells what the AI is in GET /v1/ai, and never its address or key', async () => {
    const res = await api(server.baseUrl, engineer, 'GET', '/v1/ai');
    expect(res.body).toEqual({
      available: true,
      name: 'Test AI',
      model: 'test-model-1',
      vendor: 'gpt',
      freeMinutesPerDay: 2,
      freeMinutesLeft: null,
      aiCreditsPerMinute: 3,
      humanCreditsPerMinute: 1,
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(TEST_AI_KEY);
    expect(text).not.toContain('127.0.0.1:9');
  });

  it('keeps the AI account out of sign-in', async () => {
    const res = await fetch(`${server.baseUrl}/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ai@codevf.invalid', password: 'anything-at-all' }),
    });
    expect(res.status).toBe(401);
  });
});
