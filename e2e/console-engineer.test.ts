/**
 * The engineer's console in Chromium against the real server, with a scripted customer that
 * speaks the live-session WebSocket protocol (the server's own test client): the queue updates
 * by itself, claiming opens the session, and every request shows its countdown and outcome.
 */
import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../packages/server/src/clock';
import { liveRuntime } from '../packages/server/src/live/liveRuntime';
import { api } from '../packages/server/test/support/api';
import type { TestUser } from '../packages/server/test/support/testServer';
import { openSession, type ReceivedFrame, type TestSession } from '../packages/server/test/support/wsClient';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const ESC = '\x1b';

let clock: FakeClock;
const world = useConsoleWorld(() => {
  clock = new FakeClock(new Date());
  return { clock };
});
let customer: TestUser & { token: string };
let engineer: TestUser;
let rival: TestUser & { token: string };
let ui: ConsolePage;
let page: Page;
let taskId: string;
let cust: TestSession;
/** Lets the test cut the browser's live connection and hold it down (see the reconnect test). */
const liveRoutes: WebSocketRoute[] = [];
let holdDown = false;

beforeAll(async () => {
  const { server } = world;
  const c = await server.createUser({ role: 'customer', name: 'Ann Customer', credits: 100 });
  customer = { ...c, token: (await server.issueTokens(c.id)).accessToken };
  engineer = await server.createUser({ role: 'engineer', name: 'Maria', title: 'ex-FAANG' });
  const r = await server.createUser({ role: 'engineer', name: 'Rival' });
  rival = { ...r, token: (await server.issueTokens(r.id)).accessToken };

  ui = await world.openConsole();
  page = ui.page;
  await page.routeWebSocket(/\/v1\/tasks\/[^/]+\/ws$/, (ws) => {
    if (holdDown) {
      // 1013 "try again later": the console keeps retrying, as it would while a server restarts.
      ws.close({ code: 1013, reason: 'held down by the test' });
      return;
    }
    ws.connectToServer();
    liveRoutes.push(ws);
  });
});

afterAll(async () => {
  await cust?.close();
  await ui?.context.close();
});

async function createTask(description: string): Promise<string> {
  const res = await api(world.server.baseUrl, { token: customer.token }, 'POST', '/v1/tasks', {
    description,
    mode: 'human',
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

function lastOf(s: TestSession, type: string): ReceivedFrame {
  const f = s.events.filter((e) => e.type === type).at(-1);
  if (!f) throw new Error(`no ${type} yet: ${s.describe()}`);
  return f;
}

/** The request card for a command or path. */
const card = (what: string) =>
  page.locator('article.request', { has: page.locator('.request-what', { hasText: what }) });

describe('engineer console', () => {
  it('shows new tasks without a reload, drops tasks claimed elsewhere, and claims', async () => {
    await page.goto('/queue');
    await signInThroughForm(page, engineer.email, engineer.password);
    await page.getByText('No tasks waiting').waitFor();

    taskId = await createTask('Users cannot log in after the upgrade');
    const other = await createTask('Build fails on CI only');
    // Both appear by themselves (the page polls; no reload).
    await page.getByText('Users cannot log in after the upgrade').waitFor();
    await page.getByText('Build fails on CI only').waitFor();
    expect(await page.locator('.queue-item').count()).toBe(2);
    await screenshot(page, 'engineer-queue');

    // Another engineer takes the second task: it leaves the list with a notice.
    const claimed = await api(world.server.baseUrl, { token: rival.token }, 'POST', `/v1/tasks/${other}/claim`);
    expect(claimed.status).toBe(200);
    await page.getByText('“Build fails on CI only” is no longer waiting').waitFor();
    await page.locator('.queue-item', { hasText: 'Build fails on CI only' }).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: /Claim task 1/ }).click();
    await page.waitForURL(`**/session/${taskId}`);
    await page.getByRole('heading', { name: 'Live session' }).waitFor();
    await page.getByText('Maria joined the session').waitFor();
    expect(await page.getByTestId('session-status').textContent()).toBe('active');
  });

  it('chats both ways', async () => {
    cust = await openSession({ baseUrl: world.server.baseUrl, taskId, token: customer.token });
    await page.getByLabel('Message to the customer').fill('Hi, I am looking at it.');
    await page.keyboard.press('Enter');
    const msg = await cust.waitFor((f) => f.type === 'engineer_message');
    expect(msg.payload).toEqual({ text: 'Hi, I am looking at it.' });
    await page.locator('.msg-own', { hasText: 'Hi, I am looking at it.' }).waitFor();

    await cust.expectAck('customer_message', { text: 'Thanks! My key is [REDACTED:api-key]', redactions: 1 });
    await page
      .locator('.msg-customer', { hasText: 'Thanks!' })
      .locator('mark.redacted', { hasText: '[REDACTED:api-key]' })
      .waitFor();
  });

  it('requests a command and shows its output streaming in, with colours and redaction markers', async () => {
    await page.getByRole('textbox', { name: 'Command' }).fill('npm test');
    await page.getByLabel('Reason', { exact: true }).first().fill('See which test fails');
    await page.getByRole('button', { name: 'Request command' }).click();

    const req = await cust.waitFor((f) => f.type === 'request_command');
    const requestId = req.payload.requestId as string;
    expect(req.payload).toMatchObject({ command: 'npm test', reason: 'See which test fails' });
    const npmTest = card('npm test');
    await npmTest.getByText('Waiting for the customer').waitFor();
    expect(await npmTest.locator('.countdown').textContent()).toMatch(/^\s*\d:\d\d$/);

    await cust.expectAck('approve_command', { requestId, approved: true, scope: 'once' });
    await cust.expectAck('command_output', {
      requestId,
      stream: 'stdout',
      data: `${ESC}[32mPASS${ESC}[0m test/a.test.js\n`,
    });
    // The first chunk is on screen while the command still runs.
    await npmTest.locator('.terminal .ansi-green-fg', { hasText: 'PASS' }).waitFor();
    await npmTest.getByText('Running…').waitFor();

    await cust.expectAck('command_output', {
      requestId,
      stream: 'stderr',
      data: `${ESC}[31mFAIL${ESC}[0m test/login.test.js\nTOKEN=[REDACTED:github-token]\n`,
    });
    await cust.expectAck('command_result', {
      requestId,
      exitCode: 1,
      durationMs: 2300,
      truncated: true,
      redactions: 1,
    });
    await npmTest.getByTestId('request-status').getByText('Exit code 1').waitFor();
    await npmTest.locator('.terminal .ansi-red-fg', { hasText: 'FAIL' }).waitFor();
    await npmTest.locator('.terminal mark.redacted', { hasText: '[REDACTED:github-token]' }).waitFor();
    const notes = await npmTest.locator('.request-notes li').allTextContents();
    expect(notes).toEqual([
      "1 value redacted by the customer's side",
      "Output truncated by the customer's side",
      'Ran for 2 s',
    ]);
    // No escape bytes reach the page.
    expect(await npmTest.locator('.terminal').textContent()).not.toContain(ESC);
    await screenshot(page, 'engineer-command-output');
  });

  it('shows a denied file, and an approved file highlighted with the secret masked', async () => {
    await page.getByRole('textbox', { name: 'Path' }).fill('.env');
    await page.getByRole('button', { name: 'Request file' }).click();
    const denied = await cust.waitFor((f) => f.type === 'request_file');
    await cust.expectAck('approve_file', { requestId: denied.payload.requestId as string, approved: false });
    await card('.env').getByText('Denied by the customer').waitFor();

    await page.getByRole('textbox', { name: 'Path' }).fill('src/auth.js');
    await page.getByRole('button', { name: 'Request file' }).click();
    const asked = await cust.waitFor((f) => f.type === 'request_file' && f.payload.path === 'src/auth.js');
    const requestId = asked.payload.requestId as string;
    await cust.expectAck('approve_file', { requestId, approved: true });
    await card('src/auth.js').getByText('Approved, uploading…').waitFor();
    const content = [
      "const SECRET = '[REDACTED:jwt-secret]';",
      'export function login(user) {',
      '  // <img src=x onerror=alert(1)>',
      '  return user.token === SECRET;',
      '}',
      '',
    ].join('\n');
    await cust.expectAck('file_upload', {
      requestId,
      path: 'src/auth.js',
      size: content.length,
      sha256: 'a'.repeat(64),
      encoding: 'utf8',
      content,
      redactions: 1,
    });
    const file = card('src/auth.js');
    await file.getByText('File received').waitFor();
    await file.locator('mark.redacted', { hasText: '[REDACTED:jwt-secret]' }).waitFor();
    expect(await file.locator('.code-table tr').count()).toBe(5);
    expect(await file.locator('.ln').allTextContents()).toEqual(['1', '2', '3', '4', '5']);
    expect(await file.locator('.hljs-keyword', { hasText: 'function' }).count()).toBe(1);
    // File content is text, never markup.
    expect(await file.locator('img').count()).toBe(0);
    await file.getByText('<img src=x onerror=alert(1)>').waitFor();
    expect(await file.locator('.request-notes').textContent()).toContain("1 value redacted by the customer's side");
    await screenshot(page, 'engineer-file');
  });

  it('counts a request down and shows it expired; sends a screenshare link', async () => {
    await page.getByRole('textbox', { name: 'Command' }).fill('cat /etc/hosts');
    await page.getByRole('button', { name: 'Request command' }).click();
    await cust.waitFor((f) => f.type === 'request_command' && f.payload.command === 'cat /etc/hosts');
    await card('cat /etc/hosts').getByText('Waiting for the customer').waitFor();
    clock.advance((world.server.ctx.config.requestTtlSeconds + 1) * 1000);
    await liveRuntime(world.server.ctx).tick();
    await card('cat /etc/hosts').getByText('Expired: no answer in time (counts as denied)').waitFor();
    // The same tick charged the minutes the engineer has been connected.
    await page
      .getByTestId('credits-used')
      .getByText(/^[1-9]/)
      .waitFor();

    await page.getByRole('textbox', { name: 'Link' }).fill('javascript:alert(1)');
    await page.getByRole('button', { name: 'Send link' }).click();
    await page.getByText('Use an https:// link.').waitFor();
    await page.getByRole('textbox', { name: 'Link' }).fill('https://meet.example.com/abc');
    await page.getByRole('button', { name: 'Send link' }).click();
    const share = await cust.waitFor((f) => f.type === 'screenshare_request');
    expect(share.payload).toEqual({ url: 'https://meet.example.com/abc' });
    const link = page.getByRole('link', { name: 'https://meet.example.com/abc' });
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('says it is reconnecting, resumes without losing events, and delivers what was sent meanwhile', async () => {
    holdDown = true;
    for (const ws of liveRoutes.splice(0)) await ws.close({ code: 1012, reason: 'restart' });
    await page.getByText('Reconnecting…').waitFor();
    await screenshot(page, 'engineer-reconnecting');

    // While the engineer is away: the customer writes, the engineer types a message.
    await cust.expectAck('customer_message', { text: 'Did you see the failing test?' });
    await page.getByLabel('Message to the customer').fill('Sent while offline');
    await page.keyboard.press('Enter');

    holdDown = false;
    await page.getByText('Did you see the failing test?').waitFor();
    await page.getByText('Reconnecting…').waitFor({ state: 'detached' });
    const sent = await cust.waitFor((f) => f.type === 'engineer_message' && f.payload.text === 'Sent while offline');
    expect(sent.seq).toBeGreaterThan(0);
    // Exactly once, even though the console may have sent it on more than one connection.
    await page.locator('.msg-own', { hasText: 'Sent while offline' }).waitFor();
    expect(await page.locator('.msg-own', { hasText: 'Sent while offline' }).count()).toBe(1);
    expect(await page.locator('.msg-customer', { hasText: 'Did you see the failing test?' }).count()).toBe(1);
    expect(
      cust.events.filter((e) => e.type === 'engineer_message' && e.payload.text === 'Sent while offline'),
    ).toHaveLength(1);
  });

  it('stacks the request forms under the conversation on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const conversation = await page.getByRole('region', { name: 'Conversation' }).boundingBox();
    const tools = await page.getByRole('complementary', { name: 'Requests' }).boundingBox();
    expect(conversation && tools).toBeTruthy();
    if (!conversation || !tools) return;
    expect(tools.y).toBeGreaterThan(conversation.y + conversation.height - 1);
    expect(tools.width).toBeLessThanOrEqual(390);
    // Nothing is wider than the screen (no sideways scrolling of the page).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'engineer-session-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('ends the session for both sides', async () => {
    await page.getByRole('button', { name: 'End session' }).click();
    await page.getByRole('button', { name: 'Yes, end it' }).click();
    await cust.waitFor((f) => f.type === 'session_end');
    expect(lastOf(cust, 'session_end').payload).toMatchObject({ endedBy: 'engineer' });
    await page.getByText('Session ended', { exact: true }).waitFor();
    expect(await page.getByTestId('session-status').textContent()).toBe('ended');
    expect(await page.getByRole('button', { name: 'Request command' }).count()).toBe(0);
    await screenshot(page, 'engineer-session-ended');
    expect(ui.problems).toEqual([]);
  });
});
