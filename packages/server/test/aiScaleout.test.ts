import type { Task } from '@codevf/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AI_USER_ID } from '../src/ai/aiUser';
import { asAi } from './support/aiFixture';
import { aiSettings, TEST_AI_KEY } from './support/aiSettings';
import { api } from './support/api';
import { claim, createTask, type Party, party } from './support/liveFixture';
import { type ServerProcess, startServerProcess } from './support/serverProcess';
import { POSTGRES_URL, REDIS_URL, startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

/**
 * Two server processes configured with an AI (from the environment, driver off) on one
 * PostgreSQL schema and one Redis; an in-process instance on the same database plays the AI.
 * Hand-overs, guidance and take-overs started on different instances meet under the task lock.
 */
describe('the AI participant across two server processes (PostgreSQL + Redis)', () => {
  let setup: TestServer;
  let a: ServerProcess;
  let b: ServerProcess;
  let customer: Party;
  let guide: Party;
  const open: TestSession[] = [];
  const connect = async (server: { baseUrl: string }, taskId: string, who: Party) => {
    const s = await openSession({ baseUrl: server.baseUrl, taskId, token: who.token, timeoutMs: 10_000 });
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    setup = await startTestServer({ dialect: 'postgres', redis: true, config: { ai: aiSettings() } });
    const env = {
      DATABASE_URL: POSTGRES_URL,
      CODEVF_DATABASE_SCHEMA: setup.pgSchema!,
      REDIS_URL,
      CODEVF_AI_BASE_URL: 'http://127.0.0.1:9/v1',
      CODEVF_AI_MODEL: 'test-model-1',
      CODEVF_AI_API_KEY: TEST_AI_KEY,
      CODEVF_AI_VENDOR: 'gpt',
      CODEVF_AI_NAME: 'Test AI',
      CODEVF_AI_DRIVER: 'off',
      CODEVF_LOG_LEVEL: 'debug',
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    customer = await party(setup, 'customer', 500);
    guide = await party(setup, 'engineer', 0, 'Principal engineer');
  }, 60_000);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await setup?.close();
  });

  it('relays the AI, the customer and a guide on different instances, in one order', async () => {
    const task = await createTask(a.baseUrl, customer);
    expect(task).toMatchObject({ mode: 'hybrid', aiLed: true, engineer: { id: AI_USER_ID, name: 'Test AI' } });
    const c = await connect(a, task.id, customer);
    await api(b.baseUrl, guide, 'POST', `/v1/tasks/${task.id}/guide`);
    const g = await connect(b, task.id, guide);
    expect(g.welcome?.payload).toMatchObject({ role: 'guide' });

    const said = await asAi(setup, task.id, 'engineer_message', { text: 'Hello from the AI.' });
    const guided = await g.expectAck('guide_message', { text: 'Check the lockfile.' });
    const answered = await c.expectAck('customer_message', { text: 'ok' });
    for (const s of [c, g]) {
      await s.waitForSeq(answered);
      const order = s.events.filter((f) => [said, guided, answered].includes(f.seq!)).map((f) => f.type);
      expect(order).toEqual(['engineer_message', 'guide_message', 'customer_message']);
    }
  });

  it('lets exactly one of a request for a human and a take-over, sent at once to two instances, win', async () => {
    for (let round = 0; round < 3; round++) {
      const task = await createTask(a.baseUrl, customer, { mode: 'ai' });
      await api(b.baseUrl, guide, 'POST', `/v1/tasks/${task.id}/guide`);
      const c = await connect(a, task.id, customer);
      const [asked, took] = await Promise.all([
        c.request('request_human', {}),
        api<Task>(b.baseUrl, guide, 'POST', `/v1/tasks/${task.id}/takeover`),
      ]);
      const wins = [asked.ack !== undefined, took.status === 200];
      expect(wins.filter(Boolean)).toHaveLength(1);
      if (!wins[0]) expect(asked.error?.code).toBe('E_CONFLICT');
      if (!wins[1]) expect(took.body).toMatchObject({ code: 'E_CONFLICT' });
      const events = (await api(a.baseUrl, customer, 'GET', `/v1/tasks/${task.id}/events`)).body.events as {
        type: string;
        payload: { reason?: string; engineerId?: string };
      }[];
      expect(events.filter((e) => e.type === 'handoff')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'engineer_disconnected')).toHaveLength(1);
      const view = (await api<Task>(b.baseUrl, customer, 'GET', `/v1/tasks/${task.id}`)).body;
      if (wins[1]) expect(view).toMatchObject({ status: 'active', engineer: { id: guide.user.id } });
      else expect(view).toMatchObject({ status: 'queued', engineer: null, handoff: { reason: 'customer_asked' } });
      await api(a.baseUrl, customer, 'POST', `/v1/tasks/${task.id}/end`, {});
    }
  });

  it('hands over on one instance and lets a human on the other claim it and replay everything', async () => {
    const engineer = await party(setup, 'engineer', 0, 'On call');
    const task = await createTask(b.baseUrl, customer);
    const c = await connect(b, task.id, customer);
    await c.expectAck('customer_message', { text: 'deploy fails' });
    await asAi(setup, task.id, 'engineer_message', { text: 'I will need a human for the prod keys.' });
    const res = await api<Task>(a.baseUrl, customer, 'POST', `/v1/tasks/${task.id}/human`, { reason: 'prod keys' });
    expect(res.body).toMatchObject({ status: 'queued', handoff: { reason: 'customer_asked' } });
    await c.waitFor((f) => f.type === 'task_status' && f.payload.status === 'queued');
    await claim(a.baseUrl, engineer, task.id);
    const e = await connect(a, task.id, engineer);
    const all = (await api(b.baseUrl, engineer, 'GET', `/v1/tasks/${task.id}/events`)).body.events as {
      seq: number;
    }[];
    await e.waitForSeq(all[all.length - 1]!.seq);
    expect(e.events.slice(0, all.length).map((f) => f.seq)).toEqual(all.map((ev) => ev.seq));
    const joined = await c.waitFor((f) => f.type === 'engineer_connected' && f.payload.kind === 'human');
    expect(joined.payload.engineer).toMatchObject({ id: engineer.user.id, title: 'On call' });
  });

  it('keeps the provider key out of every response and log of both processes', async () => {
    for (const server of [a, b]) {
      const info = await api(server.baseUrl, customer, 'GET', '/v1/ai');
      expect(info.body).toMatchObject({ available: true, model: 'test-model-1', vendor: 'gpt' });
      const ready = await api(server.baseUrl, {}, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      for (const text of [JSON.stringify(info.body), JSON.stringify(ready.body), server.output()]) {
        expect(text).not.toContain(TEST_AI_KEY);
        expect(text).not.toContain('127.0.0.1:9/');
      }
    }
  });
});
