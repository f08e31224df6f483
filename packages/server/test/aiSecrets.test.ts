import { afterAll, beforeAll, expect, it } from 'vitest';
import { handOff } from '../src/tasks/handoff';
import { aiSettings, TEST_AI_KEY } from './support/aiSettings';
import { api } from './support/api';
import { createTask, party } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import { openSession } from './support/wsClient';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { ai: aiSettings({ baseUrl: 'https://llm.example.test/v1' }) } });
});
afterAll(async () => server?.close());

it('never puts the AI provider key (or address) in a response, an event or a log line', async () => {
  const customer = await party(server, 'customer', 20);
  const engineer = await party(server, 'engineer');
  const admin = await party(server, 'admin');
  const seen: string[] = [];
  const call = async (who: object, method: string, path: string, body?: unknown) => {
    const res = await api(server.baseUrl, who, method, path, body);
    seen.push(`${method} ${path} ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  for (const who of [{}, customer, engineer, admin]) await call(who, 'GET', '/v1/ai');
  await call({}, 'GET', '/readyz');
  await call({}, 'GET', '/healthz');
  const project = await call(customer, 'POST', '/v1/projects', { name: 'p', type: 'node', allowedTools: ['claude'] });
  await call(customer, 'POST', '/v1/tasks', { description: 'x', mode: 'ai', projectId: project.body.id });
  await call(customer, 'POST', '/v1/tasks', { description: 'x', mode: 'robot' });
  const task = await createTask(server.baseUrl, customer);
  const c = await openSession({ baseUrl: server.baseUrl, taskId: task.id, token: customer.token });
  await c.expectAck('customer_message', { text: 'hi' });
  await call(customer, 'GET', `/v1/tasks/${task.id}`);
  await call(engineer, 'GET', '/v1/ai/tasks');
  await call(engineer, 'POST', `/v1/tasks/${task.id}/guide`);
  await handOff(server.ctx, task.id, { reason: 'model_failed', detail: 'The model answered 401 three times.' });
  await call(customer, 'POST', `/v1/tasks/${task.id}/human`);
  await call(customer, 'GET', `/v1/tasks/${task.id}/events`);
  await call(engineer, 'GET', '/v1/queue');
  await call(admin, 'GET', '/v1/admin/users');
  await call(customer, 'GET', '/v1/credits');
  await c.close();

  const everything = [...seen, ...c.frames.map((f) => JSON.stringify(f)), ...server.logs].join('\n');
  expect(seen.length).toBeGreaterThan(15);
  expect(everything).toContain('"available":true');
  expect(everything).toContain('model_failed');
  expect(everything).not.toContain(TEST_AI_KEY);
  expect(everything).not.toContain('llm.example.test');
});
