/**
 * The engineer's workspace in Chromium against the real server: the queue arrives over its
 * stream, three claimed sessions stay connected while the engineer moves between them and the
 * queue (three customers on real WebSockets chat meanwhile), the session list counts unread
 * messages, the tab title counts waiting tasks and unread messages, and a browser that granted
 * notifications is told of a new task.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import type { TestUser } from '../packages/server/test/support/testServer';
import { openSession, type TestSession } from '../packages/server/test/support/wsClient';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const world = useConsoleWorld();

interface Customer extends TestUser {
  token: string;
  taskId?: string;
  socket?: TestSession;
}

let engineer: TestUser;
const customers: Customer[] = [];
let ui: ConsolePage;
let page: Page;

beforeAll(async () => {
  const { server } = world;
  engineer = await server.createUser({ role: 'engineer', name: 'Maria' });
  for (const name of ['Ann', 'Bo', 'Cy']) {
    const c = await server.createUser({ role: 'customer', name, credits: 500 });
    customers.push({ ...c, token: (await server.issueTokens(c.id)).accessToken });
  }
  ui = await world.openConsole();
  page = ui.page;
  await ui.context.grantPermissions(['notifications']);
  // Every notification the page makes is recorded where the test can read it.
  await ui.context.addInitScript(() => {
    const Real = window.Notification;
    const seen: { title: string; body: string }[] = [];
    (window as unknown as { __notes: typeof seen }).__notes = seen;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        seen.push({ title, body: options?.body ?? '' });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
  });
});

afterAll(async () => {
  await Promise.all(customers.map((c) => c.socket?.close()));
  await ui?.context.close();
});

const notes = () => page.evaluate(() => (window as unknown as { __notes: { title: string; body: string }[] }).__notes);
const title = () => page.title();
const entry = (c: Customer) => page.locator(`.session-list li[data-session-id="${c.taskId}"]`);
const unread = async (c: Customer) => {
  const pill = entry(c).locator('.unread-count');
  return (await pill.count()) === 0 ? 0 : Number.parseInt((await pill.textContent()) ?? '0', 10);
};

async function createTask(c: Customer, description: string): Promise<void> {
  const res = await api(world.server.baseUrl, { token: c.token }, 'POST', '/v1/tasks', { description, mode: 'human' });
  expect(res.status).toBe(201);
  c.taskId = res.body.id as string;
}

async function toQueue(): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click();
  await page.getByRole('heading', { name: 'Queue', exact: true }).waitFor();
}

async function say(c: Customer, text: string): Promise<void> {
  const socket = c.socket;
  if (!socket) throw new Error('customer not connected');
  await socket.expectAck('customer_message', { text });
}

async function pollUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('engineer workspace', () => {
  it('pushes new tasks into the queue and the title, with a desktop notification once opted in', async () => {
    await page.goto('/queue');
    await signInThroughForm(page, engineer.email, engineer.password);
    await page.getByText('No tasks waiting').waitFor();
    await page.getByLabel('Desktop notifications').check();
    await pollUntil(async () => (await page.getByLabel('Desktop notifications').isChecked()) === true, 'opt-in');

    const [ann] = customers as [Customer];
    await createTask(ann, 'Login returns 500 after the upgrade');
    await page.getByText('Login returns 500 after the upgrade').waitFor();
    await pollUntil(async () => (await title()) === '(1 waiting) Queue · CodeVF', 'title with 1 waiting');
    await pollUntil(async () => (await notes()).length > 0, 'a notification');
    expect(await notes()).toEqual([{ title: 'New task in the queue', body: 'Login returns 500 after the upgrade' }]);
  });

  it('holds three sessions while the engineer moves between them and the queue; customers never see them leave', async () => {
    const [ann, bo, cy] = customers as [Customer, Customer, Customer];
    await createTask(bo, 'CI is red on main');
    await createTask(cy, 'Docker build is slow');
    await page.getByText('Docker build is slow').waitFor();
    await pollUntil(async () => (await title()).startsWith('(3 waiting)'), 'title with 3 waiting');

    // Claim all three, going back to the queue between claims.
    for (const c of [ann, bo, cy]) {
      await page.locator(`li[data-task-id="${c.taskId}"]`).getByRole('button', { name: /Claim/ }).click();
      await page.waitForURL(`**/session/${c.taskId}`);
      await page.getByText('Maria joined the session').waitFor();
      c.socket = await openSession({ baseUrl: world.server.baseUrl, taskId: c.taskId as string, token: c.token });
      await toQueue();
    }
    await page.getByText('No tasks waiting').waitFor();
    await pollUntil(async () => (await title()) === 'Queue · CodeVF', 'title with nothing waiting');
    for (const c of [ann, bo, cy]) await entry(c).waitFor();

    // While the engineer is on the queue, two customers write.
    await say(ann, 'Any news?');
    await say(bo, 'The pipeline is still red');
    await say(bo, 'hello?');
    await pollUntil(async () => (await unread(ann)) === 1 && (await unread(bo)) === 2, 'unread counts 1 and 2');
    expect(await unread(cy)).toBe(0);
    await pollUntil(async () => (await title()) === '(3 unread) Queue · CodeVF', 'title with 3 unread');
    await screenshot(page, 'workspace-queue-with-sessions');
    const replyNotes = (await notes()).filter((n) => n.title.startsWith('Customer replied'));
    expect(replyNotes.map((n) => n.body)).toEqual(['Any news?', 'The pipeline is still red', 'hello?']);

    // Opening Bo's session reads their messages; Ann's stay unread.
    await entry(bo).getByRole('link').click();
    await page.waitForURL(`**/session/${bo.taskId}`);
    await page.locator('.msg-customer', { hasText: 'hello?' }).waitFor();
    await pollUntil(async () => (await unread(bo)) === 0, 'Bo read');
    expect(await unread(ann)).toBe(1);
    await pollUntil(async () => (await title()) === '(1 unread) Live session · CodeVF', 'title with 1 unread');
    await page.getByLabel('Message to the customer').fill('Looking at the pipeline now.');
    await page.keyboard.press('Enter');
    await bo.socket?.waitFor((f) => f.type === 'engineer_message');

    // A message to the session on screen is not unread; one to another session is.
    await say(bo, 'thanks');
    await say(cy, 'it takes 20 minutes');
    await page.locator('.msg-customer', { hasText: 'thanks' }).waitFor();
    await pollUntil(async () => (await unread(cy)) === 1, 'Cy unread');
    expect(await unread(bo)).toBe(0);

    // Round the three and the queue again.
    for (const c of [cy, ann, bo]) {
      await entry(c).getByRole('link').click();
      await page.waitForURL(`**/session/${c.taskId}`);
      await page.getByRole('heading', { name: 'Live session', exact: true }).waitFor();
      await say(ann, `ping while on ${c.name}`);
    }
    // The last ping reached Ann while Bo's session was on screen.
    await toQueue();
    await pollUntil(async () => (await unread(ann)) === 1, 'Ann unread again');
    expect([await unread(bo), await unread(cy)]).toEqual([0, 0]);
    await pollUntil(async () => (await title()) === '(1 unread) Queue · CodeVF', 'title with 1 unread');

    // No customer saw the engineer leave, on their socket or in the stored transcript.
    for (const c of [ann, bo, cy]) {
      expect(c.socket?.events.filter((f) => f.type === 'engineer_disconnected')).toEqual([]);
      const events = await api(world.server.baseUrl, { token: c.token }, 'GET', `/v1/tasks/${c.taskId}/events`);
      expect(events.status).toBe(200);
      const types = (events.body.events as { type: string }[]).map((e) => e.type);
      expect(types).toContain('engineer_connected');
      expect(types).not.toContain('engineer_disconnected');
      expect(types.filter((t) => t === 'engineer_connected')).toHaveLength(1);
    }
    expect(ui.problems).toEqual([]);
  });
});
