/**
 * A signed-in user changes their password on the Account page, in Chromium against the real
 * server: wrong current password, a short new one and a mistyped repeat are refused on the form;
 * the change signs the user's other console session out and only the new password signs in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../packages/server/test/support/testServer';
import { type ConsolePage, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const world = useConsoleWorld();
let user: TestUser;
let here: ConsolePage;
let elsewhere: ConsolePage;

beforeAll(async () => {
  user = await world.server.createUser({ role: 'customer', name: 'Cora Customer', password: 'first-password-1' });
  [here, elsewhere] = await Promise.all([world.openConsole(), world.openConsole()]);
  for (const c of [here, elsewhere]) {
    await c.page.goto('/');
    await signInThroughForm(c.page, user.email, user.password);
    await c.page.waitForURL('**/tasks');
  }
});

afterAll(async () => {
  await here?.context.close();
  await elsewhere?.context.close();
});

async function signInOutcome(password: string): Promise<string> {
  const other = await world.openConsole();
  try {
    await other.page.goto('/signin');
    await signInThroughForm(other.page, user.email, password);
    const outcome = other.page.locator('[role=alert], h1:not(:text("Sign in"))').first();
    await outcome.waitFor();
    return (await outcome.textContent()) ?? '';
  } finally {
    await other.context.close();
  }
}

describe('account page', () => {
  it('changes the password after refusing bad input, and signs out the other session', async () => {
    const { page } = here;
    await page.getByRole('link', { name: /Cora Customer/ }).click();
    await page.waitForURL('**/account');
    await page.getByRole('heading', { name: 'Change password' }).waitFor();
    const current = page.getByLabel('Current password');
    const next = page.getByLabel('New password', { exact: true });
    const repeat = page.getByLabel('Repeat the new password');
    const submit = page.getByRole('button', { name: 'Change password' });

    // Mistyped repeat: caught on the form, nothing sent.
    await current.fill('first-password-1');
    await next.fill('second-password-2');
    await repeat.fill('second-password-X');
    await page.getByText('The two new passwords differ.').waitFor();
    expect(await submit.isDisabled()).toBe(true);

    // Wrong current password: the server refuses, the field says why.
    await current.fill('not-my-password');
    await repeat.fill('second-password-2');
    await submit.click();
    await page.getByText('That is not your current password.').waitFor();
    expect(await current.getAttribute('aria-invalid')).toBe('true');

    // Too short.
    await current.fill('first-password-1');
    await next.fill('short');
    await repeat.fill('short');
    await submit.click();
    await page.locator('.field-error').filter({ hasText: /8/ }).waitFor();

    // The real change.
    await next.fill('second-password-2');
    await repeat.fill('second-password-2');
    await submit.click();
    await page.getByText('Password changed').waitFor();
    expect(await page.getByText('Signed out of 1 other console session.').count()).toBe(1);
    expect(await current.inputValue()).toBe('');

    // This session goes on; the other one is signed out.
    await page.reload();
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await elsewhere.page.reload();
    await elsewhere.page.getByRole('button', { name: 'Sign in' }).waitFor();

    expect(await signInOutcome('first-password-1')).toMatch(/Wrong email or password/);
    expect(await signInOutcome('second-password-2')).not.toMatch(/Wrong email or password/);
    expect(here.problems).toEqual([]);
  });
});
