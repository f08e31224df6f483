import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/testServer';

/** A standard OAuth library, knowing only our issuer URL, runs the whole device flow. */
describe('interoperability with a standard OAuth client (openid-client)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { devicePollIntervalSeconds: 1 } });
  });
  afterAll(async () => server?.close());

  it('discovers, authorizes a device, refreshes and revokes', async () => {
    const user = await server.createUser();
    const config = await client.discovery(new URL(server.baseUrl), 'codevf-cli', undefined, client.None(), {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    });
    const device = await client.initiateDeviceAuthorization(config, {});
    expect(device.verification_uri_complete).toContain('/device?user_code=');

    const approver = (async () => {
      const { cookie, csrfToken } = await server.signIn(user.email, user.password);
      const res = await fetch(`${server.baseUrl}/v1/device/approve`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ user_code: device.user_code }),
      });
      expect(res.status).toBe(200);
    })();
    const tokens = await client.pollDeviceAuthorizationGrant(config, device);
    await approver;
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toMatch(/^cvf_rt_./);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const me = await fetch(`${server.baseUrl}/v1/me`, {
      headers: { authorization: `Bearer ${refreshed.access_token}` },
    });
    expect((await me.json()).email).toBe(user.email);

    await client.tokenRevocation(config, refreshed.refresh_token!);
    const after = await fetch(`${server.baseUrl}/v1/me`, {
      headers: { authorization: `Bearer ${refreshed.access_token}` },
    });
    expect(after.status).toBe(401);
  }, 30_000);
});
