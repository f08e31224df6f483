import type { Task } from '@codevf/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/api';
import { claim, createTask, liveSession, type Party, party } from './support/liveFixture';
import { startTestServer, type TestServer } from './support/testServer';
import type { TestSession } from './support/wsClient';

/**
 * The engineer's resolution note: written when ending (over REST or the socket), stored on the
 * task, carried by `session_end`, listed in the history; the engineer's only, and capped.
 */
describe.each(['sqlite', 'postgres'] as const)('resolution note (%s)', (dialect) => {
  let server: TestServer;
  let customer: Party;
  let engineer: Party;
  const open: TestSession[] = [];
  const url = () => server.baseUrl;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    customer = await party(server, 'customer', 500);
    engineer = await party(server, 'engineer');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  const lastEvent = async (taskId: string) =>
    (
      await api<{ events: { type: string; payload: Record<string, unknown> }[] }>(
        url(),
        customer,
        'GET',
        `/v1/tasks/${taskId}/events`,
      )
    ).body.events.at(-1);

  it('over REST: stored trimmed, in session_end, in GET /v1/tasks and /v1/tasks/:id', async () => {
    const task = await createTask(url(), customer);
    await claim(url(), engineer, task.id);
    const note = '  Pinned lodash to 4.17.21; the test now passes.\nRun npm ci after pulling.  ';
    const ended = await api<Task>(url(), engineer, 'POST', `/v1/tasks/${task.id}/end`, {
      reason: 'Fixed',
      resolution: note,
    });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'ended', endReason: 'Fixed', resolution: note.trim() });
    expect(await lastEvent(task.id)).toMatchObject({
      type: 'session_end',
      payload: { endedBy: 'engineer', reason: 'Fixed', resolution: note.trim() },
    });
    const one = await api<Task>(url(), customer, 'GET', `/v1/tasks/${task.id}`);
    expect(one.body.resolution).toBe(note.trim());
    const list = await api<{ tasks: Task[] }>(url(), customer, 'GET', '/v1/tasks');
    expect(list.body.tasks.find((t) => t.id === task.id)?.resolution).toBe(note.trim());
    const engineerView = await api<{ tasks: Task[] }>(url(), engineer, 'GET', '/v1/tasks');
    expect(engineerView.body.tasks.find((t) => t.id === task.id)?.resolution).toBe(note.trim());
  });

  it('without a note (or a blank one): null on the task, no key in session_end', async () => {
    for (const body of [{}, { resolution: '   ' }]) {
      const task = await createTask(url(), customer);
      await claim(url(), engineer, task.id);
      const ended = await api<Task>(url(), engineer, 'POST', `/v1/tasks/${task.id}/end`, body);
      expect(ended.body.resolution, JSON.stringify(body)).toBeNull();
      expect((await lastEvent(task.id))?.payload).not.toHaveProperty('resolution');
    }
  });

  it('refuses a note from the customer and an over-long note; the task stays open', async () => {
    const task = await createTask(url(), customer);
    await claim(url(), engineer, task.id);
    const fromCustomer = await api(url(), customer, 'POST', `/v1/tasks/${task.id}/end`, { resolution: 'I fixed it' });
    expect(fromCustomer.status).toBe(403);
    expect(fromCustomer.body).toMatchObject({
      code: 'E_FORBIDDEN',
      detail: 'Only the engineer can write a resolution note.',
    });
    const tooLong = await api(url(), engineer, 'POST', `/v1/tasks/${task.id}/end`, { resolution: 'x'.repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('E_VALIDATION');
    expect(JSON.stringify(tooLong.body)).toMatch(/resolution/);
    const notText = await api(url(), engineer, 'POST', `/v1/tasks/${task.id}/end`, { resolution: 42 });
    expect(notText.body.code).toBe('E_VALIDATION');
    expect((await api<Task>(url(), customer, 'GET', `/v1/tasks/${task.id}`)).body.status).toBe('active');
    // The same note at the cap is fine.
    const atCap = await api<Task>(url(), engineer, 'POST', `/v1/tasks/${task.id}/end`, {
      resolution: 'y'.repeat(2000),
    });
    expect(atCap.body.resolution).toHaveLength(2000);
  });

  it('over the socket: end_session carries it to both sides; the customer may not send one', async () => {
    const { task, c, e } = await liveSession(server, customer, engineer);
    open.push(c, e);
    const refused = await c.request('end_session', { resolution: 'done' });
    expect(refused.error).toMatchObject({ code: 'E_FORBIDDEN' });
    const tooLong = await e.request('end_session', { resolution: 'z'.repeat(2001) });
    expect(tooLong.error?.code).toBe('E_VALIDATION');
    // Control characters are kept as written: the readers render them as visible markers.
    const note = 'Cleared the cache\x1b[2J; see README';
    const seq = await e.expectAck('end_session', { resolution: note });
    const end = await c.waitForSeq(seq);
    expect(end).toMatchObject({ type: 'session_end', payload: { endedBy: 'engineer', resolution: note } });
    expect((await api<Task>(url(), customer, 'GET', `/v1/tasks/${task.id}`)).body.resolution).toBe(note);
  });
});
