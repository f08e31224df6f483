import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AI_KEY } from './support/aiSettings';
import { approveAndRun, nextEvent, run, say, shown } from './support/aiWorld';
import { api } from './support/api';
import { createTask, type Party, party } from './support/liveFixture';
import { type ScriptedModel, startScriptedModel } from './support/scriptedModel';
import { type ServerProcess, startServerProcess } from './support/serverProcess';
import { POSTGRES_URL, REDIS_URL, startTestServer, type TestServer } from './support/testServer';
import { openSession, type TestSession } from './support/wsClient';

/**
 * Two real server processes on one PostgreSQL schema and one Redis, both driving AI tasks.
 * Exactly one holds a task's lease; when it is killed (SIGKILL: no shutdown, no release), the
 * other takes the lapsed lease and resumes the AI from the transcript.
 */
describe('the AI across two server processes on PostgreSQL + Redis', () => {
  let setup: TestServer;
  let model: ScriptedModel;
  const procs: ServerProcess[] = [];
  let customer: Party;
  let projectId: string;
  const open: TestSession[] = [];

  beforeAll(async () => {
    setup = await startTestServer({ dialect: 'postgres' });
    model = await startScriptedModel();
    const env = {
      DATABASE_URL: POSTGRES_URL,
      CODEVF_DATABASE_SCHEMA: setup.pgSchema!,
      REDIS_URL,
      CODEVF_AI_BASE_URL: model.baseUrl,
      CODEVF_AI_MODEL: 'test-model-1',
      CODEVF_AI_API_KEY: TEST_AI_KEY,
      CODEVF_AI_VENDOR: 'gpt',
      CODEVF_AI_LEASE_SECONDS: '2',
      CODEVF_LOG_LEVEL: 'info',
    };
    procs.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
    customer = await party(setup, 'customer', 500);
    const project = await api<{ id: string }>(procs[0]!.baseUrl, customer, 'POST', '/v1/projects', {
      name: 'shop',
      type: 'node',
      testCommand: 'npm test',
      allowedTools: ['gpt'],
    });
    projectId = project.body.id;
  }, 60_000);
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await Promise.all(procs.map((p) => p.stop()));
    await model?.close();
    await setup?.close();
  });

  const lease = (taskId: string) =>
    setup.ctx.storage.db
      .selectFrom('task_ai')
      .select(['lease_instance', 'lease_expires_at', 'ended_at'])
      .where('task_id', '=', taskId)
      .executeTakeFirstOrThrow();

  it('resumes the AI on the other instance when the one driving it is killed', async () => {
    model.push(run('npm test', 'Hi! Running your tests.'), say('Resumed: the router test fails on a 404.'));
    const task = await createTask(procs[0]!.baseUrl, customer, { mode: 'hybrid', projectId });
    await model.waitForRequests(1);
    // Whichever instance took the lease says so in its log.
    let holder: ServerProcess | undefined;
    for (let i = 0; i < 100 && !holder; i++) {
      holder = procs.find((p) => p.output().includes(task.id) && p.output().includes('AI driving task'));
      if (!holder) await new Promise((r) => setTimeout(r, 50));
    }
    expect(holder).toBeDefined();
    const survivor = procs.find((p) => p !== holder)!;
    expect(survivor.output()).not.toMatch(
      new RegExp(`AI driving task[^\\n]*${task.id}|${task.id}[^\\n]*AI driving task`),
    );
    const before = await lease(task.id);
    expect(before.lease_instance).not.toBeNull();

    const c = await openSession({
      baseUrl: survivor.baseUrl,
      taskId: task.id,
      token: customer.token,
      timeoutMs: 15_000,
    });
    open.push(c);
    const request = await nextEvent(c, 'request_command');
    await holder!.kill();

    // The customer answers while nobody drives the AI; the survivor takes the lapsed lease and
    // answers from the transcript.
    await approveAndRun(c, request.payload.requestId as string, {
      data: 'FAIL test/router.test.js: expected 200, got 404\n',
    });
    const resumed = await nextEvent(c, 'engineer_message', request.seq, () => true, 15_000);
    expect(resumed.payload.text).toBe('Resumed: the router test fails on a 404.');
    expect(model.requests).toHaveLength(2);
    expect(shown(model.requests[1]!)).toContain('expected 200, got 404');
    // The resumed AI did not greet again: its first turn is in the transcript it read.
    expect(c.events.filter((f) => f.type === 'engineer_message')).toHaveLength(2);
    const after = await lease(task.id);
    expect(after.lease_instance).not.toBeNull();
    expect(after.lease_instance).not.toBe(before.lease_instance);

    // A graceful stop gives the lease up at once (no waiting for it to lapse).
    await survivor.stop();
    expect((await lease(task.id)).lease_instance).toBeNull();
    for (const p of procs) expect(p.output()).not.toContain(TEST_AI_KEY);
  }, 60_000);
});
