/**
 * The world of an AI-driver test: a real server (SQLite unless told otherwise) whose AI is the
 * scripted model server, a customer with credits and a project allowing the AI's vendor, and
 * helpers to open an AI-led task and play the customer's side over a real WebSocket.
 */
import type { Task } from '@codevf/protocol';
import type { AiConfig } from '../../src/config';
import { aiSettings } from './aiSettings';
import { api } from './api';
import { createTask, type Party, party } from './liveFixture';
import type { RecordedRequest, ScriptedModel, ScriptedTurn } from './scriptedModel';
import { startScriptedModel } from './scriptedModel';
import { startTestServer, type TestServer, type TestServerOptions } from './testServer';
import { openSession, type ReceivedFrame, type TestSession } from './wsClient';

export interface AiWorld {
  server: TestServer;
  model: ScriptedModel;
  /**
   * Creates a hybrid task for a new customer (with credits and a project allowing the AI's
   * vendor: a customer may have only a few AI sessions at once) and opens their live session.
   */
  aiTask(description?: string, server?: TestServer): Promise<{ task: Task; c: TestSession; customer: Party }>;
  close(): Promise<void>;
}

export const TEST_COMMAND = 'npm test -- --reporter=dot';

/** A customer with credits and a project that allows the AI (vendor gpt, as aiSettings). */
export async function aiCustomer(server: TestServer): Promise<{ customer: Party; projectId: string }> {
  const customer = await party(server, 'customer', 500);
  const project = await api<{ id: string }>(server.baseUrl, customer, 'POST', '/v1/projects', {
    name: 'shop',
    type: 'node',
    testCommand: TEST_COMMAND,
    buildCommand: 'npm run build',
    allowedTools: ['gpt'],
  });
  if (project.status !== 201) throw new Error(`create project: ${project.status} ${JSON.stringify(project.body)}`);
  return { customer, projectId: project.body.id };
}

export async function startAiWorld(
  options: { ai?: Partial<AiConfig>; server?: TestServerOptions; model?: ScriptedModel } = {},
): Promise<AiWorld> {
  const model = options.model ?? (await startScriptedModel());
  const server = await startTestServer({
    ...options.server,
    config: {
      requestTtlSeconds: 60,
      ...options.server?.config,
      ai: aiSettings({ baseUrl: model.baseUrl, driver: true, timeoutSeconds: 5, ...options.ai }),
    },
  });
  const sessions: TestSession[] = [];
  return {
    server,
    model,
    async aiTask(description = 'tests fail after upgrading express', at = server) {
      const { customer, projectId } = await aiCustomer(server);
      const task = await createTask(at.baseUrl, customer, { description, mode: 'hybrid', projectId });
      const c = await openSession({ baseUrl: at.baseUrl, taskId: task.id, token: customer.token, timeoutMs: 10_000 });
      sessions.push(c);
      return { task, c, customer };
    },
    async close() {
      await Promise.all(sessions.map((s) => s.close()));
      await server.close();
      if (!options.model) await model.close();
    },
  };
}

/** A model turn that says something. */
export const say = (text: string): ScriptedTurn => ({ text });
/** A model turn that asks to run a command (with an optional line first). */
export const run = (command: string, text?: string): ScriptedTurn => ({
  text,
  toolCalls: [{ name: 'run_command', arguments: { command, reason: 'to see the failure' } }],
});

/** Everything the model was shown in one request, as one text (for "contains" assertions). */
export function shown(req: RecordedRequest): string {
  return req.body.messages
    .map((m) => `${m.role}: ${m.content ?? ''}${m.tool_calls ? ` ${JSON.stringify(m.tool_calls)}` : ''}`)
    .join('\n');
}

/** The next persisted event of `type` after seq `after` (with an optional condition). */
export function nextEvent(
  s: TestSession,
  type: string,
  after = 0,
  match: (f: ReceivedFrame) => boolean = () => true,
  timeoutMs?: number,
): Promise<ReceivedFrame> {
  return s.waitFor((f) => f.type === type && (f.seq ?? 0) > after && match(f), timeoutMs);
}

/** Plays the customer's CLI for an approved command: approval, output chunks, result. */
export async function approveAndRun(
  c: TestSession,
  requestId: string,
  output: { data: string; redactions?: number; exitCode?: number },
): Promise<void> {
  await c.expectAck('approve_command', { requestId, approved: true, scope: 'once' });
  await c.expectAck('command_output', { requestId, stream: 'stdout', data: output.data });
  await c.expectAck('command_result', {
    requestId,
    exitCode: output.exitCode ?? 1,
    durationMs: 1234,
    truncated: false,
    redactions: output.redactions ?? 0,
  });
}
