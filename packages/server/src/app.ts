import { MAX_FILE_FRAME_BYTES } from '@codevf/protocol';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { adminRoutes } from './admin/adminRoutes';
import { ensureAiUser } from './ai/aiUser';
import { installCrossSiteGuard } from './auth/crossSite';
import { deviceRoutes } from './auth/deviceRoutes';
import { oauthRoutes } from './auth/oauthRoutes';
import { pruneExpiredJob } from './auth/pruneExpired';
import { sessionRoutes } from './auth/sessionRoutes';
import { creditsRoutes } from './billing/creditsRoutes';
import { type BlobStore, createFileBlobStore } from './blobs/blobStore';
import type { Bus } from './bus/bus';
import { createBus } from './bus/createBus';
import { type Clock, systemClock } from './clock';
import { aiConfigured, type ServerConfig } from './config';
import type { AppContext } from './context';
import { consoleRoutes, SECURITY_HEADERS } from './http/consoleRoutes';
import { installErrorHandler } from './http/errorHandler';
import { healthRoutes } from './http/healthRoutes';
import { liveRoutes } from './live/liveRoutes';
import { LiveRuntime } from './live/liveRuntime';
import { createLogger } from './logger';
import { projectRoutes } from './projects/projectRoutes';
import type { Storage } from './storage/storage';
import { aiRoutes } from './tasks/aiRoutes';
import { messageRoutes } from './tasks/messageRoutes';
import { taskRoutes } from './tasks/taskRoutes';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    /** This instance's sockets, task feeds and background jobs; also the context's event publisher. */
    live: LiveRuntime;
    /** Every route, as registered (method + URL pattern); tests sweep it for bad-input checks. */
    routeTable: { method: string; url: string }[];
  }
}

export interface AppDeps {
  config: ServerConfig;
  storage: Storage;
  clock?: Clock;
  logger?: Logger;
  bus?: Bus;
  blobs?: BlobStore;
}

/**
 * Builds the whole server without listening (tests use `inject` or listen on port 0).
 * The caller owns `storage` (and migrates it); the app closes its bus on close.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger();
  // Typed as the default instance: plugins take FastifyInstance, not the pino-specialised one.
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    // Fastify's own two info lines per request flooded a terminal (the CLI and console poll);
    // one debug line per request below replaces them.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  // The live runtime is the context's event publisher, so it completes the context itself.
  const live = new LiveRuntime({
    config: deps.config,
    storage: deps.storage,
    clock: deps.clock ?? systemClock,
    bus: deps.bus ?? createBus(deps.config),
    blobs: deps.blobs ?? createFileBlobStore(`${deps.config.dataDir}/blobs`),
    log: app.log,
  });
  const ctx = live.ctx;
  // Before any route: a task the AI claims names the AI's account as its engineer.
  if (aiConfigured(deps.config.ai)) await ensureAiUser(ctx);
  app.decorate('ctx', ctx);
  app.decorate('live', live);
  const routeTable: { method: string; url: string }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url });
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  app.addHook('onResponse', async (request, reply) => {
    // Errors are logged where they happen (errorHandler); this is the access log, on request.
    request.log.debug(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  app.addHook('onReady', async () => {
    // A serving process commits all the time: keep SQLite's WAL checkpoints off its event loop.
    deps.storage.checkpointInBackground({
      onError: (message) => app.log.warn({ message }, 'background WAL checkpoint failed'),
    });
  });
  app.addHook('onClose', async () => {
    await ctx.bus.close();
  });

  installErrorHandler(app);
  installCrossSiteGuard(app);
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  // Above the largest frame the protocol allows (a file upload); larger frames close the socket.
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FILE_FRAME_BYTES + 64 * 1024 } });

  // Route areas: one plugin each.
  await app.register(healthRoutes, ctx);
  await app.register(oauthRoutes, ctx);
  await app.register(sessionRoutes, ctx);
  await app.register(deviceRoutes, ctx);
  await app.register(adminRoutes, ctx);
  await app.register(taskRoutes, ctx);
  await app.register(messageRoutes, ctx);
  await app.register(aiRoutes, ctx);
  await app.register(liveRoutes, ctx);
  await app.register(creditsRoutes, ctx);
  await app.register(projectRoutes, ctx);
  await app.register(consoleRoutes, ctx);
  await app.register(pruneExpiredJob, ctx);

  return app;
}
