/**
 * The engineer's console in Chromium against the real server, with a scripted customer on the
 * live socket: a command request with a folder and a time limit, its outcome under the
 * customer's session-wide allowance and a refusal of a folder; ending with a resolution note,
 * which the customer then finds in their history and transcript.
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
let engineer: TestUser;
let ui: ConsolePage;
let page: Page;
let taskId: string;
let cust: TestSession;

beforeAll(async () => {
  const { server } = world;
  const c = await server.createUser({ role: 'customer', name: 'Ann Customer', credits: 100 });
  customer = { ...c, token: (await server.issueTokens(c.id)).accessToken };
  engineer = await server.createUser({ role: 'engineer', name: 'Maria' });
  ui = await world.openConsole();
  page = ui.page;
});

afterAll(async () => {
  await cust?.close();
  await ui?.context.close();
});

const cardOf = (requestId: string) => page.locator(`article.request[data-request-id="${requestId}"]`);

/** The engineer fills the command form; returns the request as the customer received it. */
async function askToRun(command: string, place: { cwd?: string; timeout?: string }) {
  const before = cust.events.filter((e) => e.type === 'request_command').length;
  await page.getByRole('textbox', { name: 'Command' }).fill(command);
  await page.getByLabel('Folder (optional, inside the project)').fill(place.cwd ?? '');
  await page.getByLabel('Time limit in seconds (optional, 1–3600)').fill(place.timeout ?? '');
  await page.getByRole('button', { name: 'Request command' }).click();
  await cust.waitFor(() => cust.events.filter((e) => e.type === 'request_command').length > before);
  const req = cust.events.filter((e) => e.type === 'request_command').at(-1);
  if (!req) throw new Error('no request');
  return { requestId: req.payload.requestId as string, payload: req.payload };
}

async function ranOk(requestId: string, scope: 'once' | 'session') {
  await cust.expectAck('approve_command', { requestId, approved: true, scope });
  await cust.expectAck('command_output', { requestId, stream: 'stdout', data: 'ok\n' });
  await cust.expectAck('command_result', { requestId, exitCode: 0, durationMs: 1200, truncated: false, redactions: 0 });
}

describe('engineer console: folder, time limit, allowance, resolution', () => {
  it('claims a task', async () => {
    const res = await api(world.server.baseUrl, { token: customer.token }, 'POST', '/v1/tasks', {
      description: 'API tests fail',
      mode: 'human',
    });
    taskId = res.body.id as string;
    await page.goto('/queue');
    await signInThroughForm(page, engineer.email, engineer.password);
    await page.getByRole('button', { name: /Claim task 1/ }).click();
    await page.waitForURL(`**/session/${taskId}`);
    await page.getByText('Maria joined the session').waitFor();
    cust = await openSession({ baseUrl: world.server.baseUrl, taskId, token: customer.token });
  });

  it('sends the folder and the limit, shows them, and says which run went under the session allowance', async () => {
    const first = await askToRun('npm test', { cwd: 'packages/api', timeout: '120' });
    expect(first.payload).toMatchObject({ command: 'npm test', cwd: 'packages/api', timeoutSeconds: 120 });
    await cardOf(first.requestId)
      .getByTestId('request-place')
      .getByText('In folder packages/api · time limit 2 min')
      .waitFor();
    await ranOk(first.requestId, 'session');
    await cardOf(first.requestId).getByText('Exit code 0').waitFor();
    expect(await cardOf(first.requestId).locator('.request-notes li').allTextContents()).toContain(
      'The customer allowed this exact command for the rest of the session',
    );

    const second = await askToRun('npm test', { cwd: 'packages/api', timeout: '120' });
    await ranOk(second.requestId, 'session');
    await cardOf(second.requestId).getByText('Exit code 0').waitFor();
    expect(await cardOf(second.requestId).locator('.request-notes li').allTextContents()).toContain(
      'Ran without asking, under the session-wide allowance the customer gave earlier',
    );
    await screenshot(page, 'engineer-command-allowance');

    // Without a folder or limit: nothing extra is sent or shown.
    const plain = await askToRun('ls', {});
    expect(plain.payload).not.toHaveProperty('cwd');
    expect(plain.payload).not.toHaveProperty('timeoutSeconds');
    await cardOf(plain.requestId).getByText('Waiting for the customer').waitFor();
    expect(await cardOf(plain.requestId).getByTestId('request-place').count()).toBe(0);
    await cust.expectAck('approve_command', { requestId: plain.requestId, approved: false });
  });

  it("shows the server's refusal of a bad folder, and the customer's refusal of a folder outside the project", async () => {
    await page.getByRole('textbox', { name: 'Command' }).fill('ls');
    await page.getByLabel('Folder (optional, inside the project)').fill('../other');
    await page.getByRole('button', { name: 'Request command' }).click();
    await page
      .getByRole('alert')
      .getByText(/must not contain \.\./)
      .waitFor();

    const outside = await askToRun('ls', { cwd: 'escape' });
    const reason = 'the working directory escapes the project root through a symbolic link';
    await cust.expectAck('approve_command', { requestId: outside.requestId, approved: false, refusedReason: reason });
    await cardOf(outside.requestId).getByText(`Refused: ${reason}`).waitFor();
  });

  it('ends with a resolution note that reaches the customer, their history and the transcript', async () => {
    await page.getByRole('button', { name: 'End session' }).click();
    const note = 'Pinned lodash to 4.17.21.\nRun npm ci after pulling. <b>not bold</b>';
    await page.getByLabel('Resolution note (optional; the customer sees it in their summary)').fill(note);
    await page.getByRole('button', { name: 'Yes, end it' }).click();
    const end = await cust.waitFor('session_end');
    expect(end.payload).toMatchObject({ endedBy: 'engineer', resolution: note });

    const other = await world.openChecked();
    await other.page.goto('/tasks');
    await signInThroughForm(other.page, customer.email, customer.password);
    const row = other.page.locator(`tr[data-task-id="${taskId}"]`);
    await row.getByTestId('task-resolution').waitFor();
    expect(await row.getByTestId('task-resolution').textContent()).toBe(
      'Resolution: Pinned lodash to 4.17.21.\\nRun npm ci after pulling. <b>not bold</b>',
    );
    await other.page.goto(`/tasks/${taskId}`);
    const section = other.page.getByTestId('resolution');
    await section.waitFor();
    expect(await section.locator('p').textContent()).toBe(note);
    // Written as text, never as markup.
    expect(await section.locator('b').count()).toBe(0);
    await screenshot(other.page, 'customer-transcript-resolution');
  });
});
