import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { problem } from './errors';

/**
 * Serves the built console (packages/console/dist) at `/`, with the single-page app's
 * index.html for client-side routes such as `/device`. API-looking paths never fall back to
 * HTML: an unknown `/v1/...` is a 404 problem, not a page.
 */
export async function consoleRoutes(app: FastifyInstance, ctx: AppContext) {
  const dir = ctx.config.consoleDir;
  const indexFile = join(dir, 'index.html');
  const built = existsSync(indexFile);
  if (built) {
    await app.register(fastifyStatic, { root: dir, wildcard: false, index: false, cacheControl: false });
  }
  const sendIndex = async (reply: import('fastify').FastifyReply) => {
    if (!built) {
      return reply
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>CodeVF</title><p>The console is not built. Run <code>npm run build</code>.</p>');
    }
    // Read per request: cheap, and a rebuilt console shows up without a restart.
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await readFile(indexFile));
  };

  app.get('/', async (_request, reply) => sendIndex(reply));

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const apiPath = /^\/(v1|oauth|\.well-known)(\/|$)/.test(path) || /^\/(healthz|readyz)$/.test(path);
    if (request.method === 'GET' && !apiPath && !/\.[a-z0-9]+$/i.test(path)) return sendIndex(reply);
    return reply
      .code(404)
      .type('application/problem+json')
      .send(problem('E_NOT_FOUND', `No route for ${request.method} ${path}.`));
  });
}

/**
 * Security headers on every response. The CSP allows only our own scripts, styles and
 * connections (no inline code), so injected markup in a transcript cannot run.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};
