/**
 * The device-approval page in a real browser against the real server: a real RFC 8628 device
 * authorization is started over HTTP (as `codevf login` does), the user approves or denies it
 * on the page, and the token endpoint's answer proves what the click did.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../packages/server/src/clock';
import { screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let clock: FakeClock;
const world = useConsoleWorld(() => {
  // Starts at the real time so the page's countdown (browser clock) and the server agree.
  clock = new FakeClock(new Date());
  return { clock, config: { deviceCodeAttemptsPerWindow: 6 } };
});

async function startDeviceLogin() {
  const res = await fetch(`${world.server.baseUrl}/oauth/device_authorization`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'client_id=codevf-cli',
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { device_code: string; user_code: string; verification_uri_complete: string };
}

async function pollToken(deviceCode: string) {
  const res = await fetch(`${world.server.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: DEVICE_GRANT,
      device_code: deviceCode,
      client_id: 'codevf-cli',
    }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function consolePage(viewport?: { width: number; height: number }, colorScheme?: 'light' | 'dark') {
  return world.openChecked({ viewport, colorScheme });
}

describe('device approval page', () => {
  it('serves the console under a strict Content-Security-Policy', async () => {
    const res = await fetch(`${world.server.baseUrl}/device?user_code=BCDF-GHJK`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    const html = await res.text();
    expect(html).toContain('<div id="root">');
    // No inline script or style in the page itself.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
  });

  it('signs in from the verification link, shows who asks, and approving lets the CLI get tokens', async () => {
    const customer = await world.server.createUser({ role: 'customer', name: 'Dana Customer' });
    const auth = await startDeviceLogin();
    const { page } = await consolePage();

    const link = new URL(auth.verification_uri_complete);
    await page.goto(`${link.pathname}${link.search}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Sign in to approve the login from your terminal.').waitFor();
    await signInThroughForm(page, customer.email, customer.password);

    await page.getByRole('heading', { name: 'Approve a device login' }).waitFor();
    expect(await page.getByTestId('user-code').textContent()).toBe(auth.user_code);
    expect(await page.getByTestId('client-name').textContent()).toContain('codevf-cli');
    expect(await page.getByTestId('client-ip').textContent()).toBe('127.0.0.1');
    await page.getByText('Check that your terminal shows this code').waitFor();
    await screenshot(page, 'device-approve-light');

    // Before the click the CLI is told to keep waiting.
    expect((await pollToken(auth.device_code)).body.error).toBe('authorization_pending');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Device approved').waitFor();

    // The server clock moves past the poll interval, so this poll is not answered slow_down.
    clock.advance(10_000);
    const token = await pollToken(auth.device_code);
    expect(token.body.error).toBeUndefined();
    expect(token.status).toBe(200);
    expect(token.body.token_type).toBe('Bearer');
    const me = await fetch(`${world.server.baseUrl}/v1/me`, {
      headers: { authorization: `Bearer ${token.body.access_token}` },
    });
    expect(((await me.json()) as { email: string }).email).toBe(customer.email);

    // The same code again: already used, no buttons.
    await page.goto(`/device?user_code=${auth.user_code}`);
    await page.getByText('Already used').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
  });

  it('denying makes the token endpoint answer access_denied', async () => {
    const customer = await world.server.createUser({ role: 'customer' });
    const auth = await startDeviceLogin();
    const { page } = await consolePage({ width: 390, height: 844 }, 'dark');
    await page.goto('/signin');
    await signInThroughForm(page, customer.email, customer.password);
    await page.waitForURL('**/tasks');

    // Enter the code by hand, in lower case and without the dash, as people do.
    await page.goto('/device');
    await page.getByRole('textbox', { name: 'Code' }).fill(auth.user_code.replace('-', '').toLowerCase());
    expect(await page.getByRole('textbox', { name: 'Code' }).inputValue()).toBe(auth.user_code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('user-code').waitFor();
    await screenshot(page, 'device-approve-phone-dark');
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByText('Request denied').waitFor();

    const token = await pollToken(auth.device_code);
    expect(token.status).toBe(400);
    expect(token.body.error).toBe('access_denied');
  });

  it('explains a mistyped code, an unknown code and an expired code', async () => {
    const customer = await world.server.createUser({ role: 'customer' });
    const { page } = await consolePage();
    await page.goto('/device');
    await signInThroughForm(page, customer.email, customer.password);

    // Letters outside the alphabet are caught before any lookup is spent.
    await page.getByRole('textbox', { name: 'Code' }).fill('ABCD-1234');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Codes use only the letters BCDFGHJKLMNPQRSTVWXZ').waitFor();

    // Well-formed but unknown: the server looks it up and says so.
    await page.getByRole('textbox', { name: 'Code' }).fill('ZZZZ-ZZZZ');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Code not found').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await screenshot(page, 'device-wrong-code');

    const auth = await startDeviceLogin();
    clock.advance(11 * 60 * 1000);
    await page.goto(`/device?user_code=${auth.user_code}`);
    await page.getByText('This code expired').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect((await pollToken(auth.device_code)).body.error).toBe('expired_token');
  });

  it('says so when too many codes were tried', async () => {
    const customer = await world.server.createUser({ role: 'customer' });
    const { page } = await consolePage();
    await page.goto('/signin');
    await signInThroughForm(page, customer.email, customer.password);
    await page.waitForURL('**/tasks');
    // Use up the per-user lookup budget (6 in this server's config) with unknown codes.
    for (let i = 0; i < 6; i++) {
      const res = await page.request.get(`/v1/device?user_code=ZZZZ-ZZZ${'BCDFGH'[i]}`);
      expect(res.status()).toBe(404);
    }
    const auth = await startDeviceLogin();
    await page.goto(`/device?user_code=${auth.user_code}`);
    await page.getByText('Too many codes tried').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
  });

  it('refuses an approval without the CSRF header, even with the session cookie', async () => {
    const customer = await world.server.createUser({ role: 'customer' });
    const auth = await startDeviceLogin();
    const { page } = await consolePage();
    await page.goto('/signin');
    await signInThroughForm(page, customer.email, customer.password);
    await page.waitForURL('**/tasks');
    const res = await page.request.post('/v1/device/approve', { data: { user_code: auth.user_code } });
    expect(res.status()).toBe(403);
    expect((await pollToken(auth.device_code)).body.error).toBe('authorization_pending');
  });
});
