import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors';
import { ownOrigin } from '../http/publicUrl';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** `Sec-Fetch-Site` values that prove the request came from our own pages (or the user's own action). */
const OWN_SITE = new Set(['same-origin', 'none']);

/**
 * Refuses state-changing browser requests that another web site made. The session cookie is
 * SameSite=Lax and cookie requests need the CSRF header, but sign-in and sign-up run before
 * there is a session: a hostile page could post its own credentials and sign the victim's
 * browser into the attacker's account (login CSRF). So every unsafe request that does not
 * authenticate with a bearer header — cookie or none, any route, present or future — must come
 * from this server's own origin.
 *
 * Judged by the headers browsers set and pages cannot forge: `Origin` (sent by every current
 * browser on every cross-origin POST, and on same-origin ones too) and `Sec-Fetch-Site`. A
 * request with neither is not from a browser (the CLI, curl, tests); it cannot ride a victim's
 * browser, so it passes — cookie requests among them still need the CSRF header.
 * Bearer requests are exempt: a page cannot make a browser attach an Authorization header
 * cross-site without a CORS preflight, which this server never grants.
 */
export function crossSiteRefusal(app: FastifyInstance, request: FastifyRequest): string | undefined {
  if (!UNSAFE.has(request.method) || request.headers.authorization !== undefined) return undefined;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && !OWN_SITE.has(String(site))) return `Sec-Fetch-Site is ${String(site)}`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  const own = ownOrigin(app);
  // `Origin: null` (sandboxed frames, some redirects) is never our own page.
  if (origin !== own) return `it came from ${origin}, not from ${own}`;
  return undefined;
}

/** Installs the check on the whole app, before body parsing, so no route can forget it. */
export function installCrossSiteGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const why = crossSiteRefusal(app, request);
    if (why) {
      request.log.warn({ method: request.method, url: request.routeOptions.url, why }, 'cross-site request refused');
      throw new ApiError('E_CROSS_SITE', `Cross-site request refused: ${why}.`);
    }
  });
}
