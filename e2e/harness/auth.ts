/**
 * The login flows a person completes outside the CLI, driven over the server's real HTTP
 * endpoints: approving a device login in the console, and checking a refresh token.
 */
import { expect } from 'vitest';
import type { TestServer, TestUser } from '../../packages/server/test/support/testServer';

/** Approves or denies a pending device login as `user`, through the console's real endpoints. */
export async function decideDeviceLogin(
  server: TestServer,
  user: TestUser,
  userCode: string,
  decision: 'approve' | 'deny',
): Promise<void> {
  const { cookie, csrfToken } = await server.signIn(user.email, user.password);
  const res = await fetch(`${server.baseUrl}/v1/device/${decision}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ user_code: userCode }),
  });
  expect(res.status).toBe(200);
}

/** Whether the server still honours this refresh token (logout and reuse detection revoke it). */
export async function refreshTokenWorks(server: TestServer, refreshToken: string): Promise<boolean> {
  const res = await fetch(`${server.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'codevf-cli' }),
  });
  return res.status === 200;
}
