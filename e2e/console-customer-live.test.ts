/**
 * The customer's live view in Chromium against the real server: while the terminal (a scripted
 * customer socket, as the CLI is) holds the session, the customer follows it from the browser —
 * an engineer message arrives live, the reply typed in the browser reaches the engineer, a
 * pending request is shown as waiting for approval in the terminal (the browser cannot approve),
 * the transcript page updates live and turns static when the session ends, and another customer
 * is refused. The browser's socket closing is no departure of the customer.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import type { TestUser } from '../packages/server/test/support/testServer';
import { openSession, type TestSession } from '../packages/server/test/support/wsClient';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const world = useConsoleWorld();

let customer: TestUser & { token: string };
let stranger: TestUser;
let engineer: TestUser & { token: string };
let taskId: string;
let terminal: TestSession;
let eng: TestSession;
let ui: ConsolePage;
let page: Page;

beforeAll(async () => {
  const { server } = world;
  const c = await server.createUser({ role: 'customer', name: 'Ann', credits: 500 });
  customer = { ...c, token: (await server.issueTokens(c.id)).accessToken };
  stranger = await server.createUser({ role: 'customer', name: 'Stranger', credits: 50 });
  const e = await server.createUser({ role: 'engineer', name: 'Maria' });
  engineer = { ...e, token: (await server.issueTokens(e.id)).accessToken };

  const created = await api(server.baseUrl, { token: customer.token }, 'POST', '/v1/tasks', {
    description: 'Checkout page times out',
    mode: 'human',
  });
  expect(created.status).toBe(201);
  taskId = created.body.id as string;
  expect((await api(server.baseUrl, { token: engineer.token }, 'POST', `/v1/tasks/${taskId}/claim`)).status).toBe(200);
  terminal = await openSession({ baseUrl: server.baseUrl, taskId, token: customer.token });
  eng = await openSession({ baseUrl: server.baseUrl, taskId, token: engineer.token });
  await eng.expectAck('engineer_message', { text: 'Hi Ann, I am looking at the checkout.' });

  ui = await world.openConsole();
  page = ui.page;
  await page.goto(`/session/${taskId}`);
  await signInThroughForm(page, customer.email, customer.password);
});

afterAll(async () => {
  await Promise.all([terminal?.close(), eng?.close()]);
  await ui?.context.close();
});

const statusOf = (command: string) =>
  page
    .locator('article.request', { has: page.locator('.request-what', { hasText: command }) })
    .getByTestId('request-status');

describe('the customer’s live view', () => {
  it('shows what happened so far, then an engineer message live, with its control characters made visible', async () => {
    await page.getByRole('heading', { name: 'Live session' }).waitFor();
    await page.getByText('Hi Ann, I am looking at the checkout.').waitFor();
    expect(await page.getByTestId('session-engineer').textContent()).toContain('Maria');

    await eng.expectAck('engineer_message', { text: 'Found it\u001b[2J: a slow query.' });
    const line = page.locator('.msg-engineer', { hasText: 'Found it' });
    await line.waitFor();
    // The escape is shown, never interpreted.
    expect(await line.locator('.msg-text').textContent()).toContain('␛[2J');
  });

  it('sends the customer’s reply to the engineer', async () => {
    await page.getByLabel('Message to the engineer').fill('Thanks, which query?');
    await page.getByLabel('Message to the engineer').press('Enter');
    const reply = await eng.waitFor(
      (f) => f.type === 'customer_message' && (f.payload as { text?: string }).text === 'Thanks, which query?',
    );
    expect(reply.seq).toBeGreaterThan(0);
    await page.locator('.msg-customer.msg-own', { hasText: 'Thanks, which query?' }).waitFor();
    expect(await page.getByLabel('Message to the engineer').inputValue()).toBe('');
    // The terminal sees the line written in the browser too.
    await terminal.waitForSeq(reply.seq as number);
  });

  it('shows a request as waiting for approval in the terminal, without a way to approve it, then its outcome', async () => {
    const askSeq = await eng.expectAck('request_command', { command: 'npm run db:explain', reason: 'see the plan' });
    await statusOf('npm run db:explain').filter({ hasText: 'Waiting for your approval in the terminal' }).waitFor();
    await page.getByText('The engineer asked for 1 request.').waitFor();
    expect(await page.getByRole('button', { name: /approve|allow|deny/i }).count()).toBe(0);
    await screenshot(page, 'customer-live-waiting');

    const ask = await terminal.waitForSeq(askSeq);
    const requestId = ask.payload.requestId as string;
    await terminal.expectAck('approve_command', { requestId, approved: true, scope: 'once' });
    await terminal.expectAck('command_output', { requestId, stream: 'stdout', data: 'Seq Scan on orders\n' });
    await terminal.expectAck('command_result', {
      requestId,
      exitCode: 0,
      durationMs: 300,
      truncated: false,
      redactions: 0,
    });
    await statusOf('npm run db:explain').filter({ hasText: 'Exit code 0' }).waitFor();
    await page.getByText('Seq Scan on orders').waitFor();
    expect(await page.getByText('The engineer asked for').count()).toBe(0);
  });

  it('refuses another customer the live view and the transcript of the active task', async () => {
    const other = await world.openChecked();
    await other.page.goto(`/session/${taskId}`);
    await signInThroughForm(other.page, stranger.email, stranger.password);
    await other.page.getByText('You cannot open this session').waitFor();
    expect(await other.page.getByText('Checkout page times out').count()).toBe(0);
    await other.page.goto(`/tasks/${taskId}`);
    await other.page.getByText('You cannot open this transcript').waitFor();
    expect(await other.page.getByText('Checkout page times out').count()).toBe(0);
  });

  it('updates the transcript page live, and makes it the static, verified transcript once the session ends', async () => {
    await page.getByRole('link', { name: 'Transcript', exact: true }).click();
    await page.getByRole('heading', { name: 'Transcript' }).waitFor();
    await page.getByText('This session is still going').waitFor();
    await page.getByText('Seq Scan on orders').waitFor();

    await eng.expectAck('engineer_message', { text: 'Adding an index now.' });
    await page.getByText('Adding an index now.').waitFor();
    // The stored events are read again shortly after: the event list catches up.
    const stored = (await api(world.server.baseUrl, { token: customer.token }, 'GET', `/v1/tasks/${taskId}/events`))
      .body.events.length as number;
    await page.getByText(new RegExp(`All ${stored} events, in order`)).waitFor();

    await eng.expectAck('end_session', { reason: 'index added' });
    await page.getByText('Audit chain verified').waitFor();
    await page.getByText('This session is still going').waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Open live view' }).waitFor({ state: 'detached' });
    await screenshot(page, 'customer-live-transcript-ended');
    // The browser's sockets came and went beside the terminal's: the customer never left.
    expect(eng.events.some((f) => f.type === 'customer_disconnected')).toBe(false);
  });

  it('saw no page errors', () => {
    expect(ui.problems).toEqual([]);
  });
});
