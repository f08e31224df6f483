import { checkScreenshareUrl, isLoopbackHost, type ScreenshareUrlCheck } from '@codevf/protocol/shared';

export type WebLinkProblem = Extract<ScreenshareUrlCheck, { ok: false }>['reason'];

/**
 * The console opens a link from a session only under the same rule as the terminal
 * (checkScreenshareUrl): https, no user info, no hidden characters; http only to this machine
 * while the console itself is served from it (development). Anything else stays text.
 */
export function parseWebLink(url: string): { href: string; host: string } | { problem: WebLinkProblem } {
  const devConsole = typeof location !== 'undefined' && isLoopbackHost(location.hostname);
  const link = checkScreenshareUrl(url, { allowLoopbackHttp: devConsole });
  return link.ok ? { href: link.href, host: link.host } : { problem: link.reason };
}
