/**
 * The admin overview in Chromium against the real server, on a history made through the API
 * under a fake clock: the task table (paged, filtered) and the engineers' figures; a customer
 * opening the page is refused.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../packages/server/src/clock';
import { api } from '../packages/server/test/support/api';
import type { TestUser } from '../packages/server/test/support/testServer';
import { openAdminConsole } from './harness/adminConsole';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

let clock: FakeClock;
const world = useConsoleWorld(() => {
  clock = new FakeClock(new Date());
  return { clock, config: { maxQueuedTasksPerCustomer: 100 } };
});
let admin: TestUser;
let customer: TestUser & { token: string };
let alice: TestUser;
let bob: TestUser;
let ui: ConsolePage;
let page: Page;
const ALICE_TASKS = 27;

async function withToken(u: TestUser) {
  return { ...u, token: (await world.server.issueTokens(u.id)).accessToken };
}

/**
 * A task claimed by `who` after `wait` seconds, ended a minute later, rated if `rating`. Tokens
 * are issued afresh each time: the fake clock runs past an access token's life.
 */
async function session(description: string, engineer: TestUser, wait: number, rating?: number) {
  const url = world.server.baseUrl;
  customer = await withToken(customer);
  const who = await withToken(engineer);
  const t = await api(url, customer, 'POST', '/v1/tasks', { description, mode: 'human' });
  clock.advance(wait * 1000);
  expect((await api(url, who, 'POST', `/v1/tasks/${t.body.id}/claim`)).status).toBe(200);
  clock.advance(60_000);
  expect((await api(url, who, 'POST', `/v1/tasks/${t.body.id}/end`, {})).status).toBe(200);
  if (rating) await api(url, customer, 'POST', `/v1/tasks/${t.body.id}/rating`, { rating });
}

beforeAll(async () => {
  const s = world.server;
  admin = await s.createUser({ role: 'admin', name: 'Ada Admin' });
  customer = await withToken(await s.createUser({ role: 'customer', name: 'Carl Customer', credits: 1_000 }));
  alice = await s.createUser({ role: 'engineer', name: 'Alice' });
  bob = await s.createUser({ role: 'engineer', name: 'Bob' });
  for (let i = 1; i <= ALICE_TASKS; i++) await session(`Alice task ${i}`, alice, 60, i % 3 === 0 ? 5 : 4);
  await session('Bob task', bob, 30);
  customer = await withToken(customer);
  await api(s.baseUrl, customer, 'POST', '/v1/tasks', { description: 'Still waiting', mode: 'human' });
  ui = await openAdminConsole(world, admin);
  page = ui.page;
});

afterAll(async () => {
  await ui?.context.close();
});

const rows = () => page.locator('table').first().locator('tbody tr');

describe('admin overview', () => {
  it('lists every task newest first, a page at a time', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL('**/admin/overview');
    await page.getByTestId('task-range').getByText('1–25 of 29').waitFor();
    expect(await rows().count()).toBe(25);
    const first = rows().first();
    expect(await first.locator('td').allTextContents()).toEqual([
      'Still waiting',
      'waiting',
      'human',
      'Carl Customer',
      '—',
      expect.any(String),
      '—',
      '0',
      'not rated',
    ]);
    const bobRow = rows().nth(1);
    expect(await bobRow.locator('td').nth(4).textContent()).toBe('Bob');
    expect(await bobRow.locator('td').nth(6).textContent()).toBe('1 min');
    await screenshot(page, 'admin-overview');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('task-range').getByText('26–29 of 29').waitFor();
    expect(await rows().count()).toBe(4);
    expect(await rows().last().locator('td').first().textContent()).toBe('Alice task 1');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
  });

  it('filters by engineer and status', async () => {
    await page.getByLabel('Engineer').selectOption({ label: `Bob (${bob.email})` });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('task-range').getByText('1–1 of 1').waitFor();
    expect(await rows().first().locator('td').first().textContent()).toBe('Bob task');

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Status').selectOption('queued');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('task-range').getByText('1–1 of 1').waitFor();
    expect(await rows().first().locator('td').first().textContent()).toBe('Still waiting');

    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Mode').selectOption('ai');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No tasks match').waitFor();
  });

  it("shows each engineer's sessions, average rating and median time to claim", async () => {
    const engineer = (email: string) => page.locator(`tr[data-engineer-email="${email}"] td`);
    await engineer(alice.email).first().waitFor();
    // 9 of Alice's 27 sessions were rated 5, the others 4: (9×5 + 18×4) / 27 = 4.33.
    expect(await engineer(alice.email).allTextContents()).toEqual([
      'Alice',
      alice.email,
      String(ALICE_TASKS),
      '0',
      `4.3 (${ALICE_TASKS})`,
      '1 min',
    ]);
    expect(await engineer(bob.email).allTextContents()).toEqual(['Bob', bob.email, '1', '0', 'no ratings', '30 s']);
  });

  it('refuses a customer who opens the page', async () => {
    const other = await world.openConsole();
    try {
      const p = other.page;
      await p.goto('/admin/overview');
      const cust = await world.server.createUser({ role: 'customer', name: 'Nosy' });
      await signInThroughForm(p, cust.email, cust.password);
      await p.getByText('The overview is for admins.').waitFor();
      expect(await p.locator('table').count()).toBe(0);
    } finally {
      await other.context.close();
    }
  });
});
