import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config';

/**
 * The address users reach this server at: the configured public URL, or else the address the
 * server is bound to. Deliberately not taken from the request's Host header: that header is
 * attacker-controlled, and this URL ends up in OAuth metadata and verification links.
 */
export function publicUrl(app: FastifyInstance): string {
  const configured = app.ctx.config.publicUrl;
  if (configured) return configured.replace(/\/+$/, '');
  const addr = app.server.address() as AddressInfo | null;
  if (!addr || typeof addr === 'string') return `http://${app.ctx.config.host}:${app.ctx.config.port}`;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
}

/** The scheme://host:port browsers send as `Origin` for pages this server serves. */
export function ownOrigin(app: FastifyInstance): string {
  return new URL(publicUrl(app)).origin;
}

/**
 * Whether users reach this server on a loopback address (a development setup). Only then may
 * an engineer's screenshare link be plain `http:` to a loopback host: a link to the customer's
 * own machine makes sense only when engineer, customer and server share that machine.
 */
export function isLoopbackServer(config: Pick<ServerConfig, 'publicUrl' | 'host'>): boolean {
  if (config.publicUrl) {
    try {
      return isLoopbackHost(new URL(config.publicUrl).hostname);
    } catch {
      return false;
    }
  }
  return isLoopbackHost(config.host.includes(':') ? `[${config.host}]` : config.host);
}
