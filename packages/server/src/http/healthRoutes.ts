import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';

/** Liveness says the process answers; readiness says its dependencies answer too. */
export async function healthRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, 'ok' | 'fail'> = {};
    try {
      await ctx.storage.ping();
      checks.database = 'ok';
    } catch {
      checks.database = 'fail';
    }
    if (ctx.config.redisUrl) {
      try {
        await ctx.bus.ping();
        checks.redis = 'ok';
      } catch {
        checks.redis = 'fail';
      }
    }
    const ready = Object.values(checks).every((c) => c === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
}
