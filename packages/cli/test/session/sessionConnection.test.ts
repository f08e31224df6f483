import type { ServerMessage } from '@codevf/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConnectionState, createSessionClient } from '../../src/session/sessionConnection';
import { startFakeSessionServer } from './fakeSessionServer';
import { waitFor } from './waitFor';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(opts: Partial<Parameters<typeof createSessionClient>[0]> = {}) {
  const server = await startFakeSessionServer();
  cleanups.push(() => server.close());
  const client = createSessionClient({
    url: server.url,
    accessToken: () => 'good-token',
    backoff: { initialMs: 5, maxMs: 20 },
    ...opts,
  });
  cleanups.push(() => client.close());
  const frames: ServerMessage[] = [];
  const states: ConnectionState[] = [];
  client.onFrame((f) => frames.push(f));
  client.onState((s) => states.push(s));
  return { server, client, frames, states };
}

const seqs = (frames: ServerMessage[]) => frames.filter((f) => f.seq !== undefined).map((f) => f.seq);

describe('session client', () => {
  it('says hello, gets welcome and live events, and resolves sends with their seq', async () => {
    const { server, client, frames } = await setup();
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    expect(frames[0]?.type).toBe('welcome');
    server.emit('engineer_message', { text: 'hello there' });
    await waitFor(() => frames.find((f) => f.type === 'engineer_message'), 'engineer message');
    const sent = client.send('customer_message', { text: 'hi' });
    await expect(sent.acked).resolves.toBe(2);
    expect(server.received).toEqual([{ type: 'customer_message', id: sent.id }]);
  });

  it('resumes from lastSeq after a drop: events missed while down arrive once, none twice', async () => {
    const { server, client, frames } = await setup();
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    server.emit('engineer_message', { text: 'one' });
    await waitFor(() => seqs(frames).length === 1, 'first event');
    server.dropAll();
    server.storeSilently('engineer_message', { text: 'two (while down)' });
    await waitFor(() => server.helloCount === 2 && client.state.kind === 'connected', 'reconnected');
    server.emit('engineer_message', { text: 'three' });
    await waitFor(() => seqs(frames).length === 3, 'three events');
    expect(seqs(frames)).toEqual([1, 2, 3]);
    expect(client.lastSeq).toBe(3);
  });

  it('drops replayed events it already delivered when the server replays too much', async () => {
    const { server, client, frames } = await setup({ lastSeq: 2 });
    server.storeSilently('engineer_message', { text: 'a' });
    server.storeSilently('engineer_message', { text: 'b' });
    server.storeSilently('engineer_message', { text: 'c' });
    client.start();
    await waitFor(() => seqs(frames).length === 1, 'replay');
    expect(seqs(frames)).toEqual([3]);
  });

  it('re-sends unacknowledged messages with their original id after a reconnect; stored once', async () => {
    const { server, client } = await setup();
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    server.setDropAcks(true);
    const sent = client.send('customer_message', { text: 'are you there?' });
    await waitFor(() => server.received.length === 1, 'first delivery');
    expect(client.unackedCount()).toBe(1);
    server.setDropAcks(false);
    server.dropAll();
    await expect(sent.acked).resolves.toBe(1);
    expect(server.received.map((r) => r.id)).toEqual([sent.id, sent.id]);
    expect(server.events.filter((e) => e.type === 'customer_message')).toHaveLength(1);
    expect(client.unackedCount()).toBe(0);
  });

  it('queues messages sent while disconnected and delivers them in order on reconnect', async () => {
    const { server, client } = await setup();
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    server.refuse(503);
    server.dropAll();
    await waitFor(() => client.state.kind === 'reconnecting', 'reconnecting');
    const a = client.send('customer_message', { text: 'first' });
    const b = client.send('customer_message', { text: 'second' });
    server.refuse(null);
    await expect(Promise.all([a.acked, b.acked])).resolves.toEqual([1, 2]);
    expect(server.events.map((e) => e.payload.text)).toEqual(['first', 'second']);
  });

  it('gives up with E_UNREACHABLE after the configured number of attempts', async () => {
    const { server, client, states } = await setup({ maxReconnectAttempts: 3 });
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    const pending = client.send('customer_message', { text: 'lost?' });
    server.refuse(503);
    server.dropAll();
    await waitFor(() => client.state.kind === 'failed', 'failed');
    const state = client.state as Extract<ConnectionState, { kind: 'failed' }>;
    expect(state.error.code).toBe('E_UNREACHABLE');
    expect(state.error.exitCode).toBe(5);
    expect(states.filter((s) => s.kind === 'reconnecting').map((s) => (s as { attempt: number }).attempt)).toEqual([
      1, 2, 3,
    ]);
    await expect(pending.acked).rejects.toMatchObject({ code: 'E_UNREACHABLE' });
  });

  it('fails with E_UNREACHABLE when nothing listens at all', async () => {
    const client = createSessionClient({
      url: 'ws://127.0.0.1:9/v1/tasks/x/ws',
      accessToken: () => 't',
      maxReconnectAttempts: 1,
      backoff: { initialMs: 1, maxMs: 2 },
    });
    cleanups.push(() => client.close());
    client.start();
    await waitFor(() => client.state.kind === 'failed', 'failed');
    expect((client.state as { error: { code: string } }).error.code).toBe('E_UNREACHABLE');
  });

  it('refreshes the token once on 401 and connects with the new one', async () => {
    let token = 'stale';
    let refreshes = 0;
    const { client } = await setup({
      accessToken: () => token,
      refreshAccessToken: async () => {
        refreshes += 1;
        token = 'good-token';
        return token;
      },
    });
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    expect(refreshes).toBe(1);
  });

  it('fails with E_UNAUTHORIZED when the refreshed token is refused too, without retry storms', async () => {
    let refreshes = 0;
    const { client, server } = await setup({
      accessToken: () => 'still-bad',
      refreshAccessToken: async () => {
        refreshes += 1;
        return 'still-bad';
      },
    });
    client.start();
    await waitFor(() => client.state.kind === 'failed', 'failed');
    expect((client.state as { error: { code: string } }).error.code).toBe('E_UNAUTHORIZED');
    expect(refreshes).toBe(1);
    expect(server.helloCount).toBe(0);
  });

  it('treats 404 as final (no retries)', async () => {
    const { client, server, states } = await setup();
    server.refuse(404);
    client.start();
    await waitFor(() => client.state.kind === 'failed', 'failed');
    expect((client.state as { error: { code: string } }).error.code).toBe('E_NOT_FOUND');
    expect(states.some((s) => s.kind === 'reconnecting')).toBe(false);
  });

  it('rejects a send that the server answers with an error carrying its id', async () => {
    const { client } = await setup();
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    const sent = client.send('approve_command', { requestId: 'expired', approved: true, scope: 'once' });
    await expect(sent.acked).rejects.toMatchObject({ code: 'E_REQUEST_EXPIRED' });
    expect(client.unackedCount()).toBe(0);
  });

  it('refuses to send a frame over the size limit', async () => {
    const { client, server } = await setup();
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    const sent = client.send('command_output', { requestId: 'r', stream: 'stdout', data: 'x'.repeat(300 * 1024) });
    await expect(sent.acked).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
    expect(server.received).toHaveLength(0);
  });

  it('ignores malformed and unknown frames from the server', async () => {
    const { client, server, frames } = await setup();
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    server.sendRaw('not json');
    server.sendRaw(JSON.stringify({ type: 'engineer_message', timestamp: 'x', payload: { text: 42 }, seq: 1 }));
    server.sendRaw(JSON.stringify({ type: 'mystery', timestamp: 'x', payload: {}, seq: 1 }));
    server.emit('engineer_message', { text: 'valid' });
    await waitFor(() => frames.find((f) => f.type === 'engineer_message'), 'valid frame');
    expect(frames.map((f) => f.type)).toEqual(['welcome', 'engineer_message']);
    expect(client.lastSeq).toBe(1);
  });

  it('treats a server that stops answering pings as gone, and reconnects', async () => {
    const { server, client, states } = await setup({ heartbeatMs: 40 });
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    await new Promise((r) => setTimeout(r, 150));
    // Pings answered: still the first connection.
    expect(server.helloCount).toBe(1);
    server.setSilent(true);
    await waitFor(() => states.find((s) => s.kind === 'reconnecting'), 'reconnecting');
    expect(states.find((s) => s.kind === 'reconnecting')).toMatchObject({ reason: 'no answer to heartbeat' });
    server.setSilent(false);
    await waitFor(() => server.helloCount === 2 && client.state.kind === 'connected', 'reconnected');
  });

  it('rejects pending sends when closed, and refuses new ones', async () => {
    const { client, server } = await setup();
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    server.setDropAcks(true);
    const pending = client.send('customer_message', { text: 'bye' });
    client.close();
    await expect(pending.acked).rejects.toMatchObject({ code: 'E_CANCELLED' });
    await expect(client.send('customer_message', { text: 'late' }).acked).rejects.toMatchObject({
      code: 'E_CANCELLED',
    });
  });
});

describe('session client: in-flight window', () => {
  it('keeps at most maxInFlight messages unacknowledged; the rest follow in order as acks come', async () => {
    const { server, client } = await setup({ maxInFlight: 2 });
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    server.setDropAcks(true);
    const sent = ['a', 'b', 'c', 'd', 'e'].map((text) => client.send('customer_message', { text }));
    await waitFor(() => server.received.length === 2, 'two in flight');
    expect(server.received.map((r) => r.id)).toEqual([sent[0]?.id, sent[1]?.id]);
    // Reconnect with acks flowing again: the two are re-sent (same ids), then the rest.
    server.setDropAcks(false);
    server.dropAll();
    await Promise.all(sent.map((s) => s.acked));
    expect(server.events.map((e) => e.payload.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const ids = server.received.map((r) => r.id);
    expect(ids.slice(0, 2)).toEqual(ids.slice(2, 4));
    expect(new Set(ids).size).toBe(5);
  });

  it('sends a message the server refused as rate-limited again instead of losing it', async () => {
    const { server, client } = await setup();
    client.start();
    await waitFor(() => client.state.kind === 'connected', 'connected');
    server.rateLimitNext();
    const sent = client.send('customer_message', { text: 'again' });
    await expect(sent.acked).resolves.toBe(1);
    expect(server.received.map((r) => r.id)).toEqual([sent.id, sent.id]);
  });
});
