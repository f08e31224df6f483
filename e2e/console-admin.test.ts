/**
 * The admin pages in Chromium against the real server: create users (with bad input), change a
 * role, disable and enable an account (and see it take effect on sign-in), grant credits.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../packages/server/test/support/testServer';
import { openAdminConsole } from './harness/adminConsole';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const world = useConsoleWorld();
let admin: TestUser;
let customer: TestUser;
let ui: ConsolePage;
let page: Page;

async function userByEmail(email: string) {
  return world.server.ctx.storage.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

const row = (email: string) => page.locator(`tr[data-user-email="${email}"]`);

beforeAll(async () => {
  admin = await world.server.createUser({ role: 'admin', name: 'Ada Admin' });
  customer = await world.server.createUser({ role: 'customer', name: 'Carl Customer' });
  ui = await openAdminConsole(world, admin);
  page = ui.page;
});

afterAll(async () => {
  await ui?.context.close();
});

/** Tries to sign in as someone in a separate browser context; returns what the page says. */
async function trySignIn(email: string, password: string): Promise<string> {
  const other = await world.openConsole();
  try {
    await other.page.goto('/signin');
    await signInThroughForm(other.page, email, password);
    const outcome = other.page.locator('[role=alert], h1:not(:text("Sign in"))').first();
    await outcome.waitFor();
    return (await outcome.textContent()) ?? '';
  } finally {
    await other.context.close();
  }
}

describe('admin console', () => {
  it('lists users, with the admin unable to demote or disable themselves', async () => {
    await row(customer.email).waitFor();
    await row(admin.email).waitFor();
    expect(await row(admin.email).locator('select').isDisabled()).toBe(true);
    expect(await row(admin.email).getByText('you').count()).toBe(1);
  });

  it('creates a user, refusing bad input and a duplicate email', async () => {
    await page.getByText('Create a user').click();
    const form = page.locator('.create-user form');
    await form.getByLabel('Email').fill('not-an-email');
    await form.getByLabel('Name').fill('New Engineer');
    await form.getByLabel('Initial password').fill('long-enough-1');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form.locator('.field-error').first().waitFor();
    expect(await form.locator('.field-error').first().textContent()).toMatch(/email/i);
    expect(await userByEmail('not-an-email')).toBeUndefined();

    await form.getByLabel('Email').fill('new-eng@example.test');
    await form.getByLabel('Role').selectOption('engineer');
    await form.getByLabel('Title (optional)').fill('Backend');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('Created new-eng@example.test (engineer).').waitFor();
    await row('new-eng@example.test').waitFor();
    expect(await userByEmail('new-eng@example.test')).toMatchObject({
      role: 'engineer',
      name: 'New Engineer',
      title: 'Backend',
    });
    expect(await trySignIn('new-eng@example.test', 'long-enough-1')).toBe('Queue');

    await form.getByLabel('Email').fill(customer.email);
    await form.getByLabel('Name').fill('Someone');
    await form.getByLabel('Initial password').fill('long-enough-2');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByText(`A user with email ${customer.email} already exists.`).waitFor();
    await screenshot(page, 'admin-users');
  });

  it('changes a role', async () => {
    await row(customer.email).locator('select').selectOption('engineer');
    await page.getByText(`${customer.email} is now engineer.`).waitFor();
    expect((await userByEmail(customer.email))?.role).toBe('engineer');
    await row(customer.email).locator('select').selectOption('customer');
    await page.getByText(`${customer.email} is now customer.`).waitFor();
    expect((await userByEmail(customer.email))?.role).toBe('customer');
  });

  it('disables an account (sign-in refused) and enables it again', async () => {
    await page.getByRole('button', { name: `Disable ${customer.email}` }).click();
    await page.getByText(`${customer.email} is disabled.`).waitFor();
    await row(customer.email).locator('.pill', { hasText: 'disabled' }).waitFor();
    expect((await userByEmail(customer.email))?.disabled).toBe(1);
    expect(await trySignIn(customer.email, customer.password)).toContain('This account is disabled');

    await page.getByRole('button', { name: `Enable ${customer.email}` }).click();
    await page.getByText(`${customer.email} can sign in again.`).waitFor();
    expect(await trySignIn(customer.email, customer.password)).toBe('Tasks');
  });

  it('grants credits, refusing an unknown email and a bad amount', async () => {
    await page.getByRole('link', { name: 'Grant credits' }).click();
    await page.waitForURL('**/admin/credits');
    await page.getByLabel('Email').fill('nobody@example.test');
    await page.getByLabel('Credits').fill('0');
    await page.getByText('A whole number of credits, 1 or more.').waitFor();
    expect(await page.getByRole('button', { name: 'Grant credits' }).isDisabled()).toBe(true);
    await page.getByLabel('Credits').fill('25');
    await page.getByRole('button', { name: 'Grant credits' }).click();
    await page.getByText('No user has the email nobody@example.test.').waitFor();

    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel('Note (optional)').fill('welcome credits');
    await page.getByLabel('Credits').fill('25');
    await page.getByRole('button', { name: 'Grant credits' }).click();
    await page.getByText(`Granted 25 credits to ${customer.email}. New balance: 25.`).waitFor();
    expect((await userByEmail(customer.email))?.credits).toBe(25);
    const ledger = await world.server.ctx.storage.db
      .selectFrom('credit_ledger')
      .selectAll()
      .where('note', '=', 'welcome credits')
      .execute();
    expect(ledger).toHaveLength(1);
    await screenshot(page, 'admin-credits');
    expect(ui.problems).toEqual([]);
  });
});
