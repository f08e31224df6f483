/**
 * The whole story, with every real part: the server, the real `codevf` CLI (login, then `fix` in
 * a pseudo-terminal, in a fixture project) and two people in Chromium — the customer, who
 * approves the CLI's login on the device page, and the engineer, who claims the task and works
 * it from the console. Nothing is scripted on the wire: every frame comes from the CLI or the
 * browser.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../packages/server/test/support/testServer';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { createTempHome, type PtyCli, spawnCliPty, startCli, stopCli } from './harness/cli';
import { useConsoleWorld } from './harness/consoleWorld';

// A value the customer's redactor recognises (Stripe key shape); it must never reach the browser.
const PLANTED_SECRET = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';

// A 1 s poll interval keeps the CLI's wait for the approval short.
const world = useConsoleWorld({ config: { devicePollIntervalSeconds: 1 } });
let customer: TestUser;
let engineer: TestUser;
let home: { home: string; cleanup: () => void };
let project: string;
let customerUi: ConsolePage;
let engineerUi: ConsolePage;
let eng: Page;
let cli: PtyCli | undefined;
let taskId: string;

function writeFixtureProject(dir: string): void {
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'login-app', version: '1.0.0', private: true, scripts: { test: 'node test.js' } }, null, 2),
  );
  writeFileSync(
    join(dir, 'test.js'),
    [
      "console.log('\\x1b[32m✓\\x1b[0m signup works');",
      "console.error('\\x1b[31m✗ login returns 500\\x1b[0m');",
      'process.exitCode = 1;',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'src'));
  writeFileSync(
    join(dir, 'src', 'payments.js'),
    [
      `const STRIPE_KEY = '${PLANTED_SECRET}';`,
      'export function charge(amount) {',
      '  return { amount, key: STRIPE_KEY };',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'src', 'auth.js'), 'export const login = () => { throw new Error("500"); };\n');
}

const requestCard = (what: string): Locator =>
  eng.locator('article.request', { has: eng.locator('.request-what', { hasText: what }) });

beforeAll(async () => {
  customer = await world.server.createUser({ role: 'customer', name: 'Ann', credits: 100 });
  engineer = await world.server.createUser({ role: 'engineer', name: 'Maria', title: 'ex-FAANG' });
  home = createTempHome('codevf-story-');
  project = mkdtempSync(join(tmpdir(), 'codevf-story-project-'));
  writeFixtureProject(project);
  customerUi = await world.openConsole();
  engineerUi = await world.openConsole();
  eng = engineerUi.page;
});

afterAll(async () => {
  await stopCli(cli);
  await customerUi?.context.close();
  await engineerUi?.context.close();
  home?.cleanup();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the whole story: codevf login, codevf fix, the engineer console', () => {
  it('the customer logs the CLI in through the device page', async () => {
    const login = startCli(['login', '--no-browser', '--base-url', world.server.baseUrl], {
      home: home.home,
      cwd: project,
    });
    const printed = await login.waitForStderr(/enter the code ([A-Z]{4}-[A-Z]{4})/);
    const code = /enter the code ([A-Z]{4}-[A-Z]{4})/.exec(printed)?.[1] ?? '';
    const link = /Direct link: (\S+)/.exec(await login.waitForStderr(/Direct link: \S+/))?.[1] ?? '';
    const page = customerUi.page;
    await page.goto(new URL(link).pathname + new URL(link).search);
    await signInThroughForm(page, customer.email, customer.password);
    expect(await page.getByTestId('user-code').textContent()).toBe(code);
    await screenshot(page, 'story-1-device-approval');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Device approved').waitFor();
    const result = await login.result;
    expect(result.code).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(customer.email);
  });

  it('the customer runs codevf fix; the engineer sees the task arrive, claims it and both chat', async () => {
    cli = await spawnCliPty(['fix', 'Users cannot log in: POST /login returns 500'], {
      home: home.home,
      cwd: project,
      cols: 120,
      rows: 40,
    });
    await cli.waitFor('Engineer connecting');

    await eng.goto('/queue');
    await signInThroughForm(eng, engineer.email, engineer.password);
    const item = eng.locator('.queue-item', { hasText: 'Users cannot log in: POST /login returns 500' });
    await item.waitFor();
    taskId = (await item.getAttribute('data-task-id')) ?? '';
    await screenshot(eng, 'story-2-queue');
    await item.getByRole('button', { name: /Claim/ }).click();
    await eng.waitForURL(`**/session/${taskId}`);
    await cli.waitFor('Engineer connected: Maria (ex-FAANG)');

    await eng.getByLabel('Message to the customer').fill('Hi Ann, I will run your tests first.');
    await eng.keyboard.press('Enter');
    await cli.waitFor('Hi Ann, I will run your tests first.');
    cli.write('Thanks, go ahead');
    cli.press('enter');
    await eng.locator('.msg-customer', { hasText: 'Thanks, go ahead' }).waitFor();
  });

  it('the engineer asks to run npm test, the customer approves, the output shows in the browser', async () => {
    if (!cli) throw new Error('no CLI');
    await eng.getByRole('textbox', { name: 'Command' }).fill('npm test');
    await eng.getByRole('textbox', { name: 'Reason' }).first().fill('See which test fails');
    await eng.getByRole('button', { name: 'Request command' }).click();
    await requestCard('npm test').getByText('Waiting for the customer').waitFor();
    await cli.waitFor(/Engineer requests to run:[\s\S]*npm test[\s\S]*\[y\] run once/);
    cli.press('y');

    const card = requestCard('npm test');
    await card.getByTestId('request-status').getByText('Exit code 1').waitFor({ timeout: 20_000 });
    await card.locator('.terminal .ansi-green-fg', { hasText: '✓' }).waitFor();
    await card.locator('.terminal .ansi-red-fg', { hasText: '✗ login returns 500' }).waitFor();
    expect(await card.locator('.terminal').textContent()).toContain('signup works');
    await screenshot(eng, 'story-3-command-output');
  });

  it('a denied file shows "denied"; an approved file shows highlighted, with the planted secret masked', async () => {
    if (!cli) throw new Error('no CLI');
    await eng.getByRole('textbox', { name: 'Path' }).fill('src/auth.js');
    await eng.getByRole('button', { name: 'Request file' }).click();
    await cli.waitFor(/Engineer requests file: src\/auth\.js[\s\S]*\[y\] send/);
    cli.press('n');
    await requestCard('src/auth.js').getByTestId('request-status').getByText('Denied by the customer').waitFor();

    cli.clear();
    await eng.getByRole('textbox', { name: 'Path' }).fill('src/payments.js');
    await eng.getByRole('button', { name: 'Request file' }).click();
    await cli.waitFor(/Engineer requests file: src\/payments\.js[\s\S]*\[y\] send/);
    cli.press('y');
    const card = requestCard('src/payments.js');
    await card.getByText('File received').waitFor();
    await card.locator('mark.redacted', { hasText: '[REDACTED:stripe-key]' }).waitFor();
    await card.locator('.hljs-keyword', { hasText: 'function' }).waitFor();
    expect(await card.locator('.ln').allTextContents()).toEqual(['1', '2', '3', '4']);
    // The secret itself is nowhere on the engineer's page.
    expect(await eng.content()).not.toContain(PLANTED_SECRET);
    await screenshot(eng, 'story-4-file');
  });

  it('the customer ends the session and rates it; the rating shows in their history', async () => {
    if (!cli) throw new Error('no CLI');
    cli.press('ctrl-c');
    await cli.waitFor('End the session? (y/n)');
    cli.press('y');
    await eng.getByText('Session ended', { exact: true }).waitFor();
    await eng.getByText('Session ended by the customer').waitFor();
    await cli.waitFor('Rate engineer (1-5):');
    cli.press('5');
    await cli.waitFor('Feedback (optional, Enter to send):');
    cli.write('Found it fast');
    cli.press('enter');
    expect((await cli.exit).exitCode).toBe(0);
    cli = undefined;

    const page = customerUi.page;
    await page.goto('/tasks');
    const row = page.locator(`tr[data-task-id="${taskId}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['Users cannot log in: POST /login returns 500', 'ended', 'Maria']);
    expect(cells[6]).toContain('5/5');
    await screenshot(page, 'story-5-customer-history');

    await row.getByRole('link').click();
    await page.getByText('Audit chain verified').waitFor();
    await page.getByText('“Found it fast”').waitFor();
    expect(await page.content()).not.toContain(PLANTED_SECRET);
    expect(customerUi.problems).toEqual([]);
    expect(engineerUi.problems).toEqual([]);
  });
});
