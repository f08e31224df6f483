import type { LoginData } from '@codevf/protocol';
import { formatUserCode } from '@codevf/protocol/constants';
import { sameServer } from '../core/api';
import type { StoredAuth } from '../core/authStore';
import { type CommandContext, defineCommand } from '../core/command';
import { deviceLogin } from '../core/deviceLogin';
import { CodevfError } from '../core/errors';
import { isCI } from '../core/io';
import { parseMe } from '../core/parseMe';
import { revokeLogin } from './logout';

/** Only try a browser where one could appear: a person is watching and (on Linux) there is a display. */
function mayOpenBrowser(ctx: CommandContext): boolean {
  const { io } = ctx;
  if (!io.stderrIsTTY || isCI(io.env)) return false;
  if (ctx.platform === 'linux' && !io.env.DISPLAY && !io.env.WAYLAND_DISPLAY) return false;
  return true;
}

export default defineCommand({
  description:
    'Logs in with a one-time code (OAuth device flow): the code and the address to approve it at are printed ' +
    'first, then a browser is opened if possible. Approve in the CodeVF console after checking that the code ' +
    'matches. When already logged in nothing changes unless --force is given.',
  json: true,
  flags: {
    'no-browser': { type: 'boolean', description: 'Do not try to open a browser; just print the address.' },
    force: { type: 'boolean', description: 'Log in again even if already logged in (replaces the login).' },
  },
  examples: ['codevf login', 'codevf login --base-url https://codevf.example.com', 'codevf login --force --no-browser'],

  async handler({ flags }, ctx): Promise<LoginData> {
    const store = ctx.authStore();
    let existing: StoredAuth | null = null;
    try {
      existing = await store.read();
    } catch (err) {
      // A corrupt file is replaced only when asked to, so nothing is lost by surprise.
      if (!(err instanceof CodevfError) || err.code !== 'E_CONFIG_INVALID' || !flags.force) {
        if (err instanceof CodevfError && err.code === 'E_CONFIG_INVALID') {
          throw new CodevfError(err.code, err.message, { hint: 'Run: codevf login --force (replaces the file)' });
        }
        throw err;
      }
    }
    if (existing && !flags.force) {
      const wanted = await ctx.baseUrl();
      const other = sameServer(wanted, existing.baseUrl) ? '' : ` To log in to ${wanted} instead, add --force.`;
      ctx.status(
        `Already logged in to ${existing.baseUrl} as ${existing.user.name} <${existing.user.email}>. ` +
          `Nothing changed; use codevf login --force to log in again.${other}`,
      );
      return { loggedIn: true, alreadyLoggedIn: true, baseUrl: existing.baseUrl, user: existing.user };
    }

    const api = await ctx.api();
    const { io } = ctx;
    const tokens = await deviceLogin({
      api,
      sleep: ctx.sleep,
      now: ctx.now,
      onCode: async (code) => {
        // Printed before anything else is tried: the browser may never open (SSH, no display).
        ctx.status(`To log in, open ${io.style('cyan', code.verificationUri)}`);
        ctx.status(
          `and enter the code ${io.style('bold', formatUserCode(code.userCode))} (check it matches in the browser).`,
        );
        ctx.status(io.style('dim', `Direct link: ${code.verificationUriComplete}`));
        if (!flags['no-browser'] && mayOpenBrowser(ctx)) {
          const opened = await ctx.openBrowser(code.verificationUriComplete);
          if (opened) ctx.status('Opened your browser.');
        }
        ctx.status(`Waiting for approval (the code expires in ${Math.round(code.expiresIn / 60)} minutes)…`);
      },
    });

    const me = await api.get('/v1/me', { accessToken: tokens.accessToken, parse: parseMe });
    const user: StoredAuth['user'] = { id: me.id, email: me.email, name: me.name, role: me.role };
    const auth: StoredAuth = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(ctx.now() + tokens.expiresIn * 1000).toISOString(),
      userId: user.id,
      baseUrl: api.baseUrl,
      user,
    };
    await store.write(auth);
    // Remembered apart from the login so that after logout the next login comes back here.
    await ctx.serverStore().write(api.baseUrl);
    // The replaced login would otherwise stay valid on its server until it expires.
    if (existing && existing.refreshToken !== auth.refreshToken) await revokeLogin(ctx, existing);
    return { loggedIn: true, alreadyLoggedIn: false, baseUrl: api.baseUrl, user };
  },

  human(data, { io }) {
    if (data.alreadyLoggedIn) return;
    io.err(
      `${io.style('green', '✓')} Logged in to ${data.baseUrl} as ${io.style('bold', data.user.name)} <${data.user.email}>\n`,
    );
  },
});
