/**
 * Who may open what, seen from the browser (the server decides; the console must say so
 * clearly), plus the session-level states: expired session, unreachable server, sign-out and
 * keyboard-only sign-in.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import type { TestUser } from '../packages/server/test/support/testServer';
import { screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const world = useConsoleWorld();
let owner: TestUser;
let otherCustomer: TestUser;
let claimer: TestUser;
let otherEngineer: TestUser;
let taskId: string;

beforeAll(async () => {
  const { server } = world;
  owner = await server.createUser({ role: 'customer', name: 'Owner', credits: 20 });
  otherCustomer = await server.createUser({ role: 'customer', name: 'Other Customer' });
  claimer = await server.createUser({ role: 'engineer', name: 'Claimer' });
  otherEngineer = await server.createUser({ role: 'engineer', name: 'Bystander' });
  const ownerToken = (await server.issueTokens(owner.id)).accessToken;
  const created = await api(server.baseUrl, { token: ownerToken }, 'POST', '/v1/tasks', {
    description: 'Private problem',
  });
  taskId = created.body.id;
  const claimerToken = (await server.issueTokens(claimer.id)).accessToken;
  expect((await api(server.baseUrl, { token: claimerToken }, 'POST', `/v1/tasks/${taskId}/claim`)).status).toBe(200);
});

/** What a user returning to the tab does: the console re-fetches at once instead of at its next poll. */
async function returnToTab(page: Page): Promise<void> {
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
}

async function signedIn(user: TestUser, path: string) {
  const c = await world.openChecked();
  await c.page.goto(path);
  await signInThroughForm(c.page, user.email, user.password);
  return c;
}

describe('access from the console', () => {
  it('an engineer cannot open a task they did not claim, live or as a transcript', async () => {
    const c = await signedIn(otherEngineer, `/session/${taskId}`);
    const { page } = c;
    await page.getByText('You cannot open this session').waitFor();
    expect(await page.getByRole('textbox', { name: 'Command' }).count()).toBe(0);
    expect(await page.getByText('Private problem').count()).toBe(0);
    await screenshot(page, 'access-engineer-not-claimed');

    await page.goto(`/tasks/${taskId}`);
    await page.getByText('You cannot open this transcript').waitFor();
    expect(await page.getByText('Private problem').count()).toBe(0);

    // Going around the page does not help: the event log and the live socket refuse too.
    const res = await page.request.get(`/v1/tasks/${taskId}/events`);
    expect(res.status()).toBe(404);
    const socket = await page.evaluate(
      (id) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/v1/tasks/${id}/ws`);
          ws.onopen = () => resolve('open');
          ws.onclose = () => resolve('refused');
        }),
      taskId,
    );
    expect(socket).toBe('refused');
    // Chromium logs that refused handshake; it was the point of the check, not a page problem.
    const expected = (p: string) => p.includes('Error during WebSocket handshake: Unexpected response code: 404');
    expect(c.problems.filter(expected)).toHaveLength(1);
    c.problems.splice(0, c.problems.length, ...c.problems.filter((p) => !expected(p)));
  });

  it('a customer cannot open the queue, the admin pages or another customer’s transcript', async () => {
    const { page } = await signedIn(otherCustomer, '/queue');
    await page.getByText('The queue is only for engineers.').waitFor();
    expect(await page.getByRole('link', { name: 'Queue' }).count()).toBe(0);
    await screenshot(page, 'access-customer-queue');

    await page.goto(`/tasks/${taskId}`);
    await page.getByText('You cannot open this transcript').waitFor();
    expect(await page.getByText('Private problem').count()).toBe(0);

    await page.goto('/admin/users');
    await page.getByText('User management is for admins.').waitFor();
  });

  it('the owner follows their own session live and reads its transcript', async () => {
    const { page } = await signedIn(owner, `/session/${taskId}`);
    await page.getByRole('heading', { name: 'Live session' }).waitFor();
    await page.getByRole('link', { name: 'Transcript', exact: true }).click();
    await page.getByText('Private problem').waitFor();
    await page.getByText('Audit chain verified').waitFor();
  });

  it('sends the user to sign in again when the session expires, and comes back to the same page', async () => {
    const c = await world.openChecked();
    const { page } = c;
    // The claimer's workspace holds their session: its socket opens just after sign-in. The
    // session ends once that socket is up, not between the console's last answer and the
    // upgrade: a refused upgrade is logged by the browser, whatever the console does.
    const held = page
      .waitForEvent('websocket', { predicate: (ws) => ws.url().endsWith(`/v1/tasks/${taskId}/ws`) })
      .then((ws) =>
        ws.waitForEvent('framereceived', {
          predicate: (f) => typeof f.payload === 'string' && f.payload.startsWith('{"type":"welcome"'),
          timeout: 10_000,
        }),
      );
    await page.goto('/queue');
    await signInThroughForm(page, claimer.email, claimer.password);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await held;
    // The server forgets the session (expired or revoked); the next poll finds out.
    await world.server.ctx.storage.db.deleteFrom('web_sessions').where('user_id', '=', claimer.id).execute();
    await returnToTab(page);
    await page.getByText('Your session expired. Sign in again.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/queue');
    await signInThroughForm(page, claimer.email, claimer.password);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
  });

  it('keeps the page and says so while the server cannot be reached', async () => {
    const { page } = await signedIn(claimer, '/queue');
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await page.route('**/v1/queue', (route) => route.abort('connectionrefused'));
    await returnToTab(page);
    await page.getByText('Cannot reach the CodeVF server').waitFor();
    await screenshot(page, 'access-unreachable');
    await page.unroute('**/v1/queue');
    await returnToTab(page);
    await page.getByText('Cannot reach the CodeVF server').waitFor({ state: 'detached' });
  });

  it('says so when the server cannot be reached at start, and recovers on "Try again"', async () => {
    const c = await world.openChecked();
    await c.page.route('**/v1/auth/session', (route) => route.abort('connectionrefused'));
    await c.page.goto('/queue');
    await c.page.getByRole('heading', { name: 'Cannot reach the server' }).waitFor();
    await c.page.unroute('**/v1/auth/session');
    await c.page.getByRole('button', { name: 'Try again' }).click();
    await c.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('signs out: the cookie session ends on the server', async () => {
    const c = await signedIn(owner, '/tasks');
    await c.page.getByRole('heading', { name: 'Tasks' }).waitFor();
    const sessions = async () =>
      (
        await world.server.ctx.storage.db
          .selectFrom('web_sessions')
          .where('user_id', '=', owner.id)
          .selectAll()
          .execute()
      ).length;
    const before = await sessions();
    await c.page.getByRole('button', { name: 'Sign out' }).click();
    await c.page.waitForURL('**/signin');
    expect(await sessions()).toBe(before - 1);
    expect((await c.context.cookies()).map((k) => k.name)).not.toContain('codevf_session');
    await c.page.goto('/tasks');
    await c.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('signs in with the keyboard alone, starting from the skip link', async () => {
    const c = await world.openChecked();
    const { page } = c;
    await page.goto('/signin');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const focused = () =>
      page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.textContent ?? '');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('email');
    await page.keyboard.type(owner.email);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('password');
    await page.keyboard.type(owner.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
  });
});
