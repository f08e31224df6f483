import { CLI_CLIENT_ID, DEVICE_CODE_GRANT, SLOW_DOWN_INCREMENT_SECONDS } from '@codevf/protocol/constants';
import { type ApiClient, readTokenAnswer } from './api';
import { normalizeBaseUrl } from './baseUrl';
import { CodevfError } from './errors';
import { problemToError } from './problem';

export interface DeviceCodeInfo {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresIn: number;
}

export interface DeviceLoginOptions {
  api: ApiClient;
  /** Waits between polls; abortable (Ctrl+C). */
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Called once the code is known, before polling starts: show it to the user. */
  onCode(info: DeviceCodeInfo): Promise<void> | void;
  /** Network failures tolerated in a row while polling before giving up. */
  maxPollFailures?: number;
}

export interface DeviceLoginTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/**
 * OAuth 2.0 device authorization grant (RFC 8628) against the server's RFC 8414 metadata:
 * ask for a code, let the user approve it in the browser, poll the token endpoint.
 */
export async function deviceLogin(options: DeviceLoginOptions): Promise<DeviceLoginTokens> {
  const { api, sleep, now } = options;
  // zod comes in here, in login's chunk, never on the fast paths.
  const { OAuthMetadata, DeviceAuthorizationResponse } = await import('@codevf/protocol');

  const metadata = await api.get('/.well-known/oauth-authorization-server', {
    auth: false,
    parse: (v) => OAuthMetadata.parse(v),
  });
  // The metadata names the endpoints the device code (and later the tokens) go to; hold them
  // to the same rule as the base URL so a tampered answer cannot downgrade to plain http.
  const deviceEndpoint = normalizeBaseUrl(metadata.device_authorization_endpoint, 'device_authorization_endpoint');
  const tokenEndpoint = normalizeBaseUrl(metadata.token_endpoint, 'token_endpoint');

  const started = await api.oauthForm(deviceEndpoint, { client_id: CLI_CLIENT_ID });
  if (started.status !== 200) throw oauthFailure(started.status, started.body, 'Starting the login');
  const parsedStart = DeviceAuthorizationResponse.safeParse(started.body);
  if (!parsedStart.success)
    throw new CodevfError('E_INTERNAL', 'The server sent an unexpected device authorization answer.');
  const grant = parsedStart.data;

  await options.onCode({
    userCode: grant.user_code,
    verificationUri: grant.verification_uri,
    verificationUriComplete: grant.verification_uri_complete,
    expiresIn: grant.expires_in,
  });

  const deadline = now() + grant.expires_in * 1000;
  let intervalMs = grant.interval * 1000;
  const maxFailures = options.maxPollFailures ?? 3;
  let failures = 0;
  for (;;) {
    await sleep(intervalMs);
    if (now() > deadline) throw expired();
    let answer: Awaited<ReturnType<ApiClient['oauthForm']>>;
    try {
      answer = await api.oauthForm(tokenEndpoint, {
        grant_type: DEVICE_CODE_GRANT,
        device_code: grant.device_code,
        client_id: CLI_CLIENT_ID,
      });
    } catch (err) {
      // A dropped connection while the user is busy in the browser should not end the login.
      const transient = err instanceof CodevfError && (err.code === 'E_UNREACHABLE' || err.code === 'E_TIMEOUT');
      if (!transient || ++failures >= maxFailures) throw err;
      continue;
    }
    failures = 0;
    if (answer.status === 200) return readTokenAnswer(answer.body);
    switch (answer.body.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        // RFC 8628 §3.5: add 5 seconds to this and every later interval.
        intervalMs += SLOW_DOWN_INCREMENT_SECONDS * 1000;
        continue;
      case 'expired_token':
        throw expired();
      case 'access_denied':
        throw new CodevfError('E_LOGIN_DENIED', 'The login was denied in the browser.');
      default:
        throw oauthFailure(answer.status, answer.body, 'Logging in');
    }
  }
}

function expired(): CodevfError {
  return new CodevfError('E_LOGIN_EXPIRED', 'The login code expired before it was approved.');
}

function oauthFailure(status: number, body: Record<string, unknown>, what: string): CodevfError {
  if (typeof body.error === 'string' && !('code' in body)) {
    const detail = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    const code = status === 429 ? 'E_RATE_LIMITED' : 'E_INTERNAL';
    return new CodevfError(code, `${what} failed (${body.error}${detail}).`);
  }
  return problemToError(status, JSON.stringify(body), what);
}
