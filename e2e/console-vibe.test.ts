/**
 * Vibe mode in the browser, against the real server and its AI driver (the model is the
 * scripted OpenAI-compatible server): an engineer finds a running AI session on the "AI
 * sessions" page, guides it — the guidance reaches the customer and the model — then takes it
 * over and works it with the normal engineer tools. The customer is the server's WebSocket test
 * client, speaking the protocol as the CLI does.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiSettings } from '../packages/server/test/support/aiSettings';
import { aiCustomer, nextEvent, say, shown } from '../packages/server/test/support/aiWorld';
import { createTask } from '../packages/server/test/support/liveFixture';
import { type ScriptedModel, startScriptedModel } from '../packages/server/test/support/scriptedModel';
import type { TestUser } from '../packages/server/test/support/testServer';
import { openSession, type TestSession } from '../packages/server/test/support/wsClient';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const model: ScriptedModel = await startScriptedModel();
const world = useConsoleWorld(() => ({
  config: { ai: aiSettings({ baseUrl: model.baseUrl, driver: true, timeoutSeconds: 10 }) },
}));

const DESCRIPTION = 'The nightly export job crashes with ENOMEM';
let engineer: TestUser;
let ui: ConsolePage;
let eng: Page;
let customer: TestSession;
let taskId: string;

beforeAll(async () => {
  engineer = await world.server.createUser({ role: 'engineer', name: 'Maria', title: 'ex-FAANG' });
  const { customer: party, projectId } = await aiCustomer(world.server);
  model.push(say('Hello! Which Node version runs the export job?'));
  const task = await createTask(world.server.baseUrl, party, { description: DESCRIPTION, mode: 'hybrid', projectId });
  taskId = task.id;
  customer = await openSession({ baseUrl: world.server.baseUrl, taskId, token: party.token, timeoutMs: 10_000 });
  await nextEvent(customer, 'engineer_message', 0, (f) => JSON.stringify(f.payload).includes('Which Node version'));
  ui = await world.openConsole();
  eng = ui.page;
});

afterAll(async () => {
  await customer?.close();
  await ui?.context.close();
  await model.close();
});

describe('vibe mode: guiding an AI session, then taking it over', () => {
  it('the AI sessions page lists the running session; Guide opens it as a guide without request tools', async () => {
    await eng.goto('/ai-sessions');
    await signInThroughForm(eng, engineer.email, engineer.password);
    const list = eng.getByRole('list', { name: 'AI-led tasks' });
    const item = list.locator(`li[data-task-id="${taskId}"]`);
    await item.getByText(DESCRIPTION).waitFor();
    await screenshot(eng, 'vibe-1-ai-sessions');
    await item.getByRole('button', { name: 'Guide' }).click();
    await eng.getByRole('heading', { name: 'Guiding the AI' }).waitFor();
    await eng.getByText('Which Node version runs the export job?').waitFor();
    expect(await eng.getByRole('button', { name: 'Request command' }).count()).toBe(0);
    expect(await eng.getByRole('textbox', { name: 'Message to the customer' }).count()).toBe(0);
  });

  it('guidance is shown to the customer and given to the model as instructions', async () => {
    const before = model.requests.length;
    model.push(say('Thanks, checking the heap size settings now.'));
    await eng.getByRole('textbox', { name: 'Guidance for the AI' }).fill('Ask for the NODE_OPTIONS of the cron job.');
    await eng.getByRole('button', { name: 'Send guidance' }).click();
    const line = await nextEvent(customer, 'guide_message');
    expect(line.payload).toMatchObject({
      text: 'Ask for the NODE_OPTIONS of the cron job.',
      guide: { id: engineer.id, name: 'Maria' },
    });
    const request = await model.waitForRequests(before + 1, 15_000);
    expect(shown(request)).toContain('Ask for the NODE_OPTIONS of the cron job.');
    await eng.getByText('Thanks, checking the heap size settings now.').waitFor();
    await screenshot(eng, 'vibe-2-guiding');
  });

  it('Take over: the AI leaves, the engineer gets the engineer tools, the customer sees the human join', async () => {
    await eng.getByRole('button', { name: 'Take over' }).click();
    await eng.getByRole('button', { name: 'Yes, take over' }).click();
    const handoff = await nextEvent(customer, 'handoff');
    expect(handoff.payload).toMatchObject({ from: 'ai', reason: 'engineer_took_over' });
    await eng.getByRole('textbox', { name: 'Message to the customer' }).waitFor({ timeout: 15_000 });
    await eng.getByRole('button', { name: 'Request command' }).waitFor();
    const joined = await nextEvent(customer, 'engineer_connected', handoff.seq ?? 0);
    expect(joined.payload).toMatchObject({ kind: 'human', engineer: { id: engineer.id, name: 'Maria' } });

    await eng.getByRole('textbox', { name: 'Message to the customer' }).fill('Hi, Maria here — I have the context.');
    await eng.keyboard.press('Enter');
    await nextEvent(customer, 'engineer_message', joined.seq ?? 0, (f) =>
      JSON.stringify(f.payload).includes('Maria here'),
    );
    // The task is no longer an AI session.
    await eng.goto('/ai-sessions');
    await eng.getByRole('heading', { name: 'AI sessions' }).waitFor();
    expect(await eng.locator(`li[data-task-id="${taskId}"]`).count()).toBe(0);
    expect(ui.problems).toEqual([]);
    await screenshot(eng, 'vibe-3-taken-over');
  });
});
