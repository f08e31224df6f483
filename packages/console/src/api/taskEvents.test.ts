import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventsResponse } from '@codevf/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './api';
import { setApiBase } from './client';

// A real HTTP server answers as the API pages a transcript: `total` events, `pageSize` a page,
// and (when set) a chain broken at `brokenAt` in the verdict of the page that holds it only.
let server: Server;
let total = 0;
let brokenAt: number | null = null;
const pageSize = 4;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const after = Number(new URL(req.url ?? '', 'http://x').searchParams.get('after') ?? 0);
    const last = Math.min(after + pageSize, total);
    const events: EventsResponse['events'] = [];
    for (let seq = after + 1; seq <= last; seq++) {
      events.push({
        seq,
        type: 'customer_message',
        timestamp: 't',
        payload: { text: `m${seq}` },
        senderId: 'u',
        hash: `h${seq}`,
      });
    }
    const broken = brokenAt !== null && brokenAt > after && brokenAt <= last;
    const body: EventsResponse = {
      events,
      chain: { verified: !broken, brokenAtSeq: broken ? brokenAt : null, headHash: broken ? null : `h${last}` },
      nextAfter: last,
      hasMore: last < total,
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  setApiBase(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => server.close());

describe('api.taskEvents', () => {
  it('reads every page, following nextAfter, into one transcript with the last verdict', async () => {
    total = 10;
    brokenAt = null;
    asked.length = 0;
    const t = await api.taskEvents('t1');
    expect(asked).toEqual([
      '/v1/tasks/t1/events?after=0',
      '/v1/tasks/t1/events?after=4',
      '/v1/tasks/t1/events?after=8',
    ]);
    expect(t.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(t).toMatchObject({ chain: { verified: true, headHash: 'h10' }, nextAfter: 10, hasMore: false });
  });

  it('keeps a broken verdict although later pages verify', async () => {
    total = 10;
    brokenAt = 3;
    const t = await api.taskEvents('t1');
    expect(t.events).toHaveLength(10);
    expect(t.chain).toEqual({ verified: false, brokenAtSeq: 3, headHash: null });
  });

  it('reads an empty transcript in one request', async () => {
    total = 0;
    brokenAt = null;
    asked.length = 0;
    const t = await api.taskEvents('t1');
    expect(asked).toHaveLength(1);
    expect(t).toMatchObject({ events: [], chain: { verified: true }, hasMore: false });
  });
});
