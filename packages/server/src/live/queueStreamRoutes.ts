import type { FastifyInstance } from 'fastify';
import { requireRole } from '../auth/guards';
import type { AppContext } from '../context';
import { SECURITY_HEADERS } from '../http/consoleRoutes';
import { every } from '../periodic';
import { listQueue } from '../tasks/taskService';
import { type QueueClient, QueueStreams } from './queueStreams';

/** Comment lines this often keep idle streams (and proxies) open. */
const KEEP_ALIVE_MS = 20_000;
/**
 * The safety net: a change lost on the bus, or a console session reaching its expiry, shows
 * by the next round. Only streams whose snapshot changed are written to.
 */
const RESYNC_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream (the SSE `retry` field). */
const RETRY_MS = 2_000;

/**
 * `GET /v1/queue/stream` — the engineers' queue as server-sent events (docs/PROTOCOL.md §2.2):
 * a snapshot at once, then a fresh one after every change, from any instance (through the bus).
 */
export async function queueStreamRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const streams = new QueueStreams(ctx, () => listQueue(ctx));
  const unsubscribeQueue = ctx.bus.subscribeQueueChanges(() => streams.changed());
  const unsubscribeAccess = ctx.bus.subscribeAccessChanges((userId) => {
    streams.sweepAccess(userId).catch((err: unknown) => ctx.log.warn({ err }, 'queue stream access check failed'));
  });
  let stopping = false;
  const timers: NodeJS.Timeout[] = [];
  app.addHook('onReady', async () => {
    const options = { log: ctx.log, stopped: () => stopping };
    timers.push(every(KEEP_ALIVE_MS, async () => streams.ping(), 'queue stream keep-alive', options));
    timers.push(
      every(
        RESYNC_MS,
        async () => {
          await streams.sweepAccess();
          if (streams.size > 0) streams.refresh();
        },
        'queue stream resync',
        options,
      ),
    );
  });
  // Before the server waits for open connections to finish: these never would.
  app.addHook('preClose', async () => {
    stopping = true;
    for (const t of timers) clearInterval(t);
    unsubscribeQueue();
    unsubscribeAccess();
    streams.closeAll();
  });

  app.get('/v1/queue/stream', async (request, reply) => {
    const user = await requireRole(request, 'engineer');
    // Changes from other instances are heard from here on; the snapshot is read after this.
    await ctx.bus.queueSubscribed();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // Proxies that buffer responses (nginx) would hold the events back.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const client: QueueClient = {
      user,
      write: (frame) => {
        if (res.destroyed || res.writableEnded) return false;
        res.write(frame);
        return true;
      },
      end: (refused) => {
        if (res.writableEnded) return;
        if (refused) res.write(`event: end\ndata: ${JSON.stringify(refused)}\n\n`);
        // The connection goes with the stream: left open as an idle keep-alive connection, it
        // would hold a closing server for its whole keep-alive timeout.
        res.end(() => request.raw.socket?.destroy());
      },
    };
    request.raw.once('close', () => streams.remove(client));
    res.once('close', () => streams.remove(client));
    streams.add(client);
  });
}
