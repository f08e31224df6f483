/**
 * Hybrid mode end to end, with every real part but the model: the server with its AI driver,
 * the real `codevf fix --mode hybrid` in a pseudo-terminal, an engineer in Chromium, and a
 * scripted model server speaking the OpenAI-compatible wire format (the one part outside the
 * system). The AI greets and asks to run the tests; the customer approves; the model's next
 * request carries the output with the planted secret masked; the AI hands over; the engineer
 * claims the task, reads the AI's summary and the transcript; the customer sees the human join.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiSettings, TEST_AI_KEY } from '../packages/server/test/support/aiSettings';
import { api } from '../packages/server/test/support/api';
import { type ScriptedModel, startScriptedModel } from '../packages/server/test/support/scriptedModel';
import type { TestUser } from '../packages/server/test/support/testServer';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { createTempHome, loginRecord, type PtyCli, spawnCliPty, stopCli, writeAuthFile } from './harness/cli';
import { useConsoleWorld } from './harness/consoleWorld';

// A value the customer's redactor recognises (Stripe key shape): it must never reach the model.
const PLANTED_SECRET = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
const GREETING = 'Hi Ann, I am the CodeVF AI. Let me run your tests first.';
const SUMMARY = 'POST /login answers 500: test.js fails on login. The auth service needs a human to look at it.';

// The scripted model listens before the server starts, so the server can be configured with it.
const model: ScriptedModel = await startScriptedModel();
const world = useConsoleWorld(() => ({
  config: { ai: aiSettings({ baseUrl: model.baseUrl, driver: true, timeoutSeconds: 10, vendor: 'gpt' }) },
}));

let customer: TestUser;
let engineer: TestUser;
let home: { home: string; cleanup: () => void };
let project: string;
let engineerUi: ConsolePage;
let eng: Page;
let cli: PtyCli | undefined;

beforeAll(async () => {
  customer = await world.server.createUser({ role: 'customer', name: 'Ann', credits: 100 });
  engineer = await world.server.createUser({ role: 'engineer', name: 'Maria', title: 'ex-FAANG' });
  home = createTempHome('codevf-hybrid-');
  const tokens = await world.server.issueTokens(customer.id);
  writeAuthFile(home.home, loginRecord(world.server.baseUrl, customer, tokens));
  project = mkdtempSync(join(tmpdir(), 'codevf-hybrid-project-'));
  writeFileSync(
    join(project, 'test.js'),
    [
      "console.log('signup works');",
      `console.log('using key ${PLANTED_SECRET}');`,
      "console.error('login returns 500');",
      'process.exitCode = 1;',
      '',
    ].join('\n'),
  );
  const created = await api<{ id: string }>(
    world.server.baseUrl,
    { token: tokens.accessToken },
    'POST',
    '/v1/projects',
    { name: 'login-app', type: 'node', testCommand: 'node test.js', allowedTools: ['gpt'] },
  );
  expect(created.status).toBe(201);
  mkdirSync(join(project, '.codevf'));
  writeFileSync(
    join(project, '.codevf', 'config.json'),
    JSON.stringify({
      version: '1',
      projectId: created.body.id,
      allowedTools: ['gpt'],
      testCommand: 'node test.js',
      buildCommand: '',
      repoUploaded: false,
      branchMode: 'codevf',
      createdAt: new Date().toISOString(),
    }),
  );
  engineerUi = await world.openConsole();
  eng = engineerUi.page;
});

afterAll(async () => {
  await stopCli(cli);
  await engineerUi?.context.close();
  await model.close();
  home?.cleanup();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('codevf fix --mode hybrid: the AI first, then a human', () => {
  it('the AI greets at once and asks to run the test command; the customer approves', async () => {
    model.push({
      text: GREETING,
      toolCalls: [{ name: 'run_command', arguments: { command: 'node test.js', reason: 'See which test fails' } }],
    });
    cli = await spawnCliPty(['fix', '--mode', 'hybrid', 'Users cannot log in'], {
      home: home.home,
      cwd: project,
      cols: 120,
      rows: 40,
    });
    await cli.waitFor(GREETING, 20_000);
    // The terminal says the AI is speaking and how to ask for a human.
    await cli.waitFor('/human');
    await cli.waitFor(/requests to run:[\s\S]*node test\.js[\s\S]*\[y\] run once/);

    const first = model.requests[0];
    expect(first?.headers.authorization).toBe(`Bearer ${TEST_AI_KEY}`);
    expect(JSON.stringify(first?.body.messages)).toContain('Users cannot log in');

    model.push({
      toolCalls: [{ name: 'hand_off', arguments: { summary: SUMMARY, reason: 'The auth service needs a person' } }],
    });
    cli.press('y');
  });

  it("the model's next request holds the output, with the planted secret masked", async () => {
    const second = await model.waitForRequests(2, 20_000);
    const seen = JSON.stringify(second.body.messages);
    expect(seen).toContain('login returns 500');
    expect(seen).toContain('[REDACTED:stripe-key]');
    expect(seen).not.toContain(PLANTED_SECRET);
  });

  it('the AI hands over: the customer is told a human is coming, with the queue position', async () => {
    if (!cli) throw new Error('no CLI');
    await cli.waitFor(/human engineer/i, 20_000);
    await cli.waitFor(/position 1/i);
  });

  it('an engineer in Chromium claims the task and sees the summary first, then the transcript', async () => {
    if (!cli) throw new Error('no CLI');
    await eng.goto('/queue');
    await signInThroughForm(eng, engineer.email, engineer.password);
    const item = eng.locator('.queue-item', { hasText: 'Users cannot log in' });
    await item.waitFor();
    await item.getByText('Handed over by the AI').waitFor();
    await screenshot(eng, 'hybrid-1-queue');
    await item.getByRole('button', { name: /Claim/ }).click();
    await eng.waitForURL('**/session/*');
    const card = eng.getByRole('region', { name: 'AI hand-over summary' });
    await card.getByText(SUMMARY).waitFor();
    // The whole transcript, without asking again: the AI's greeting and the command's output.
    await eng.locator('li.msg-ai', { hasText: GREETING }).waitFor();
    await eng.getByText('login returns 500').first().waitFor();
    expect(await eng.content()).not.toContain(PLANTED_SECRET);
    await screenshot(eng, 'hybrid-2-handed-over-session');

    await cli.waitFor(/engineer connected: Maria/i, 20_000);
    expect(engineerUi.problems).toEqual([]);
  });
});
