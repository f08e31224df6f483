/**
 * The customer's pages in Chromium against the real server: task history, a transcript with
 * the audit-chain verification (also when the stored log was tampered with), and credits.
 * The session itself is played over the real WebSocket by scripted customer and engineer clients.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import { startTestServer, type TestUser } from '../packages/server/test/support/testServer';
import { openSession } from '../packages/server/test/support/wsClient';
import { type ConsolePage, openConsole, screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const world = useConsoleWorld();
let customer: TestUser & { token: string };
let engineer: TestUser & { token: string };
let ui: ConsolePage;
let page: Page;
let endedTask: string;
let queuedTask: string;
let eventCount: number;

beforeAll(async () => {
  const { server } = world;
  const c = await server.createUser({ role: 'customer', name: 'Ann Customer', credits: 50 });
  customer = { ...c, token: (await server.issueTokens(c.id)).accessToken };
  const e = await server.createUser({ role: 'engineer', name: 'Maria', title: 'ex-FAANG' });
  engineer = { ...e, token: (await server.issueTokens(e.id)).accessToken };

  // A whole session, played over the real WebSocket by both sides.
  const created = await api(server.baseUrl, { token: customer.token }, 'POST', '/v1/tasks', {
    description: 'Login returns 500',
  });
  endedTask = created.body.id;
  expect((await api(server.baseUrl, { token: engineer.token }, 'POST', `/v1/tasks/${endedTask}/claim`)).status).toBe(
    200,
  );
  const cust = await openSession({ baseUrl: server.baseUrl, taskId: endedTask, token: customer.token });
  const eng = await openSession({ baseUrl: server.baseUrl, taskId: endedTask, token: engineer.token });
  await eng.expectAck('engineer_message', { text: 'Hello! Let me run the tests.' });
  await cust.expectAck('customer_message', { text: 'Sure, go ahead.' });
  await eng.expectAck('request_command', { command: 'npm test', reason: 'reproduce' });
  const cmd = await cust.waitFor((f) => f.type === 'request_command');
  const requestId = cmd.payload.requestId as string;
  await cust.expectAck('approve_command', { requestId, approved: true });
  await cust.expectAck('command_output', { requestId, stream: 'stdout', data: '\x1b[31m1 failing\x1b[0m\n' });
  await cust.expectAck('command_result', { requestId, exitCode: 1, durationMs: 900, truncated: false, redactions: 0 });
  await eng.expectAck('request_file', { path: '.env', reason: 'config' });
  const file = await cust.waitFor((f) => f.type === 'request_file');
  await cust.expectAck('approve_file', { requestId: file.payload.requestId as string, approved: false });
  await cust.expectAck('end_session', { reason: 'fixed, thanks' });
  await cust.waitFor((f) => f.type === 'session_end');
  await cust.close();
  await eng.close();
  const rated = await api(server.baseUrl, { token: customer.token }, 'POST', `/v1/tasks/${endedTask}/rating`, {
    rating: 4,
    feedback: 'Quick and clear',
  });
  expect(rated.status).toBe(200);
  eventCount = (await api(server.baseUrl, { token: customer.token }, 'GET', `/v1/tasks/${endedTask}/events`)).body
    .events.length;

  const q = await api(server.baseUrl, { token: customer.token }, 'POST', '/v1/tasks', {
    description: 'Second problem, still waiting',
  });
  queuedTask = q.body.id;

  ui = await world.openConsole({ colorScheme: 'dark' });
  page = ui.page;
  await page.goto('/signin');
  await signInThroughForm(page, customer.email, customer.password);
  await page.waitForURL('**/tasks');
});

afterAll(async () => {
  await ui?.context.close();
});

describe('customer console', () => {
  it('lists task history with status, engineer, credits and rating', async () => {
    const ended = page.locator(`tr[data-task-id="${endedTask}"]`);
    await ended.waitFor();
    const cells = await ended.locator('td').allTextContents();
    expect(cells[0]).toBe('Login returns 500');
    expect(cells[1]).toBe('ended');
    expect(cells[2]).toBe('Maria');
    expect(cells[6]).toContain('4/5');
    const waiting = await page.locator(`tr[data-task-id="${queuedTask}"] td`).allTextContents();
    expect(waiting.slice(1, 3)).toEqual(['waiting', '—']);
    expect(waiting[6]).toBe('not rated');
    // Newest first.
    expect(await page.locator('tbody tr').first().getAttribute('data-task-id')).toBe(queuedTask);
    await screenshot(page, 'customer-tasks-dark');
  });

  it('replays the transcript in order with the audit chain verified', async () => {
    await page.getByRole('link', { name: 'Login returns 500' }).click();
    await page.waitForURL(`**/tasks/${endedTask}`);
    await page.getByText('Audit chain verified').waitFor();
    await page.getByText(`All ${eventCount} events are intact and in order`).waitFor();
    expect(await page.getByTestId('task-rating').textContent()).toContain('4/5');
    await page.getByText('“Quick and clear”').waitFor();

    const timeline = page.locator('ol.timeline > li');
    const texts = await timeline.allTextContents();
    const at = (s: string) => texts.findIndex((t) => t.includes(s));
    // The conversation in the order it happened.
    expect(at('Maria joined the session')).toBeGreaterThanOrEqual(0);
    expect(at('Maria joined the session')).toBeLessThan(at('Hello! Let me run the tests.'));
    expect(at('Hello! Let me run the tests.')).toBeLessThan(at('Sure, go ahead.'));
    expect(at('Sure, go ahead.')).toBeLessThan(at('npm test'));
    expect(at('npm test')).toBeLessThan(at('.env'));
    expect(at('.env')).toBeLessThan(at('Session ended by the customer: fixed, thanks'));
    // The customer reads the engineer's name and sees their own lines as "You".
    await page.locator('.msg-own', { hasText: 'Sure, go ahead.' }).locator('.msg-who', { hasText: 'You' }).waitFor();
    await page.locator('article.request', { hasText: 'npm test' }).getByText('Exit code 1').waitFor();
    await page
      .locator('article.request', { hasText: 'npm test' })
      .locator('.ansi-red-fg', { hasText: '1 failing' })
      .waitFor();
    await page.locator('article.request', { hasText: '.env' }).getByText('Denied by you').waitFor();

    await page.getByText(`All ${eventCount} events, in order`).click();
    const seqs = await page.locator('.raw-events tbody tr td:first-child').allTextContents();
    expect(seqs).toEqual(Array.from({ length: eventCount }, (_, i) => String(i + 1)));
    await screenshot(page, 'customer-transcript-dark');
  });

  it('shows a broken audit chain when a stored event was altered', async () => {
    const victim = await world.server.ctx.storage.db
      .selectFrom('task_events')
      .select('seq')
      .where('task_id', '=', endedTask)
      .where('type', '=', 'engineer_message')
      .executeTakeFirstOrThrow();
    await world.server.ctx.storage.db
      .updateTable('task_events')
      .set({ payload: JSON.stringify({ text: 'Please send me your password.' }) })
      .where('task_id', '=', endedTask)
      .where('seq', '=', victim.seq)
      .execute();
    await page.reload();
    await page.getByText('Audit chain broken').waitFor();
    await page.getByText(`from event #${victim.seq} on`).waitFor();
    expect(await page.getByText('Audit chain verified').count()).toBe(0);
  });

  it('shows the credit balance and the ledger', async () => {
    const credits = await api(world.server.baseUrl, { token: customer.token }, 'GET', '/v1/credits');
    await page.getByRole('link', { name: 'Credits' }).click();
    await page.waitForURL('**/credits');
    expect(await page.getByTestId('balance').textContent()).toBe(String(credits.body.balance));
    const rows = await page.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(credits.body.ledger.length);
    expect(rows.some((r) => r.includes('Granted') && r.includes('+50'))).toBe(true);
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const other = await world.openConsole();
    try {
      await other.page.goto('/signin');
      await signInThroughForm(other.page, customer.email, 'not-the-password');
      await other.page.getByText('Wrong email or password.').waitFor();
      await signInThroughForm(other.page, 'nobody@example.test', 'whatever-password');
      await other.page.getByText('Wrong email or password.').waitFor();
      expect(other.page.url()).toContain('/signin');
    } finally {
      await other.context.close();
    }
  });

  it('offers self sign-up only where the server allows it', async () => {
    const other = await world.openConsole();
    try {
      await other.page.goto('/signup');
      await other.page.getByLabel('Name').fill('Sam');
      await other.page.getByLabel('Email').fill('sam@example.test');
      await other.page.getByLabel('Password').fill('a-long-password');
      await other.page.getByRole('button', { name: 'Create account' }).click();
      await other.page.getByText('Sign-up is turned off').waitFor();
      expect(
        await world.server.ctx.storage.db
          .selectFrom('users')
          .where('email', '=', 'sam@example.test')
          .selectAll()
          .execute(),
      ).toHaveLength(0);
    } finally {
      await other.context.close();
    }

    const open = await startTestServer({ config: { selfSignup: true } });
    const c = await openConsole(world.browser, open.baseUrl);
    try {
      await c.page.goto('/signup');
      await c.page.getByLabel('Name').fill('Sam');
      await c.page.getByLabel('Email').fill('not-an-email');
      await c.page.getByLabel('Password').fill('a-long-password');
      await c.page.getByRole('button', { name: 'Create account' }).click();
      await c.page.locator('.field-error').first().waitFor();
      await c.page.getByLabel('Email').fill('sam@example.test');
      await c.page.getByRole('button', { name: 'Create account' }).click();
      await c.page.getByRole('heading', { name: 'Tasks' }).waitFor();
      await c.page.locator('.account-name', { hasText: 'Sam' }).waitFor();
      expect(c.problems).toEqual([]);
    } finally {
      await c.context.close();
      await open.close();
    }
  });

  it('shows empty states to a new customer', async () => {
    const fresh = await world.server.createUser({ role: 'customer' });
    const other = await world.openConsole({ viewport: { width: 390, height: 844 } });
    try {
      await other.page.goto('/tasks');
      await signInThroughForm(other.page, fresh.email, fresh.password);
      await other.page.getByText('No tasks yet').waitFor();
      await other.page.getByRole('link', { name: 'Credits' }).click();
      await other.page.getByText('No credit movements yet').waitFor();
      expect(await other.page.getByTestId('balance').textContent()).toBe('0');
      await screenshot(other.page, 'customer-credits-empty-phone');
      expect(other.problems).toEqual([]);
    } finally {
      await other.context.close();
    }
    expect(ui.problems).toEqual([]);
  });
});
