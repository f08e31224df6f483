import type { WhoamiData } from '@codevf/protocol';
import { sameServer } from '../core/api';
import { BASE_URL_SOURCE_LABEL } from '../core/baseUrl';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';
import { parseMe } from '../core/parseMe';

export default defineCommand({
  description:
    'Shows the login stored on this machine and asks the server to confirm it. Not being logged in is not an ' +
    'error: the answer is loggedIn:false with exit 0. When the server cannot be reached the stored identity is ' +
    'shown with verified:false.',
  json: true,
  examples: ['codevf whoami', 'codevf whoami --json'],

  async handler(_parsed, ctx): Promise<WhoamiData> {
    const stored = await ctx.authStore().read();
    const { baseUrl, source: baseUrlSource } = await ctx.server();
    if (!stored) return { loggedIn: false, baseUrl, baseUrlSource };
    if (!sameServer(stored.baseUrl, baseUrl)) {
      ctx.warn(`The login on this machine is for ${stored.baseUrl}, not ${baseUrl}.`);
      return { loggedIn: false, baseUrl, baseUrlSource };
    }
    const api = await ctx.api();
    try {
      const user = await api.get('/v1/me', { parse: parseMe, timeoutMs: 5_000 });
      const login = await api.currentLogin();
      return {
        loggedIn: true,
        baseUrl,
        baseUrlSource,
        user,
        verified: true,
        serverReachable: true,
        expiresAt: login?.expiresAt,
      };
    } catch (err) {
      if (!(err instanceof CodevfError) || (err.code !== 'E_UNREACHABLE' && err.code !== 'E_TIMEOUT')) throw err;
      ctx.warn(`${err.message} Showing the login stored on this machine.`);
      return {
        loggedIn: true,
        baseUrl,
        baseUrlSource,
        user: stored.user,
        verified: false,
        serverReachable: false,
        expiresAt: stored.expiresAt,
      };
    }
  },

  human(data, { io }) {
    const from = data.baseUrlSource ? io.style('dim', ` (${BASE_URL_SOURCE_LABEL[data.baseUrlSource]})`) : '';
    if (!data.loggedIn || !data.user) {
      io.out(`Not logged in${data.baseUrl ? ` to ${data.baseUrl}${from}` : ''}.\n`);
      io.err(`${io.style('dim', 'Hint:')} Run: codevf login\n`);
      return;
    }
    const { user } = data;
    io.out(`Logged in to ${data.baseUrl}${from} as ${io.style('bold', user.name)} <${user.email}> (${user.role})\n`);
    if (user.credits !== undefined) io.out(`Credits: ${user.credits}\n`);
    if (!data.verified) io.out('Not verified: the server could not be reached.\n');
  },
});
