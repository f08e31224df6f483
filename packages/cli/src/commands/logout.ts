import type { LogoutData } from '@codevf/protocol';
import { CLI_CLIENT_ID } from '@codevf/protocol/constants';
import type { StoredAuth } from '../core/authStore';
import type { CommandContext } from '../core/command';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';

/**
 * Asks the server that issued the login to revoke it (RFC 7009). Returns false when the
 * server could not be told; the caller deletes the local copy either way.
 */
export async function revokeLogin(ctx: CommandContext, auth: StoredAuth): Promise<boolean> {
  try {
    // The issuer, not --base-url: a token is never sent to a server that did not issue it.
    const api = ctx.apiAt(auth.baseUrl);
    const answer = await api.oauthForm(
      `${api.baseUrl}/oauth/revoke`,
      { token: auth.refreshToken, token_type_hint: 'refresh_token', client_id: CLI_CLIENT_ID },
      { timeoutMs: 5_000 },
    );
    if (answer.status === 200) return true;
    ctx.warn(`The server refused to revoke the login (HTTP ${answer.status}).`);
    return false;
  } catch (err) {
    if (err instanceof CodevfError && err.code === 'E_CANCELLED') throw err;
    ctx.warn(
      `${err instanceof Error ? err.message : String(err)} The server could not be told; the login may stay valid there until it expires.`,
    );
    return false;
  }
}

export default defineCommand({
  description:
    'Revokes the login on the server and deletes it from this machine. The server address is kept, so the ' +
    'next codevf login goes back to the same server. Safe to run twice ' +
    '(wasLoggedIn:false) and offline (the local copy is deleted and a warning says the server was not told).',
  json: true,
  examples: ['codevf logout', 'codevf logout --json'],

  async handler(_parsed, ctx): Promise<LogoutData> {
    const store = ctx.authStore();
    let auth: StoredAuth | null;
    try {
      auth = await store.read();
    } catch (err) {
      // Logging out is the remedy for a corrupt login file, so it must not fail on one.
      if (!(err instanceof CodevfError) || err.code !== 'E_CONFIG_INVALID') throw err;
      ctx.warn(`${err.message} Deleting it.`);
      await store.remove();
      return { wasLoggedIn: true, revoked: false };
    }
    if (!auth) return { wasLoggedIn: false, revoked: false };
    const revoked = await revokeLogin(ctx, auth);
    // Logins from before server.json existed name their server only in auth.json: keep it.
    await ctx.serverStore().write(auth.baseUrl);
    await store.remove();
    return { wasLoggedIn: true, revoked };
  },

  human(data, { io }) {
    if (!data.wasLoggedIn) io.err('Not logged in; nothing to do.\n');
    else io.err(`Logged out${data.revoked ? '' : ' on this machine'}.\n`);
  },
});
