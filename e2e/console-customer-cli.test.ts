/**
 * The customer follows a `codevf fix` session from the browser while the real CLI runs in a
 * pseudo-terminal: the engineer's message reaches both, a reply typed in the browser reaches the
 * engineer and shows in the terminal, a command request is approved in the terminal (the browser
 * only says it waits there) and its output streams into the browser, and closing the browser is
 * not the customer leaving.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveRuntime } from '../packages/server/src/live/liveRuntime';
import { requestCommand, useFixRun, waitForCommandPrompt } from './fix-harness';
import { ensureConsoleBuilt, launchBrowser, openConsole, screenshot, signInThroughForm } from './harness/browser';

const run = useFixRun();
let browser: Browser;

beforeAll(async () => {
  ensureConsoleBuilt();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the customer’s browser beside the terminal', () => {
  it('chats from the browser into the terminal’s session; approvals stay in the terminal', async () => {
    const { world, cli, task, engineer } = await run.live();
    const ui = await openConsole(browser, world.server.baseUrl);
    const { page } = ui;
    try {
      await page.goto(`/session/${task.id}`);
      await signInThroughForm(page, world.customer.user.email, world.customer.user.password);
      await page.getByRole('heading', { name: 'Live session' }).waitFor();

      engineer.send('engineer_message', { text: 'Hello from Maria' });
      await page.locator('.msg-engineer', { hasText: 'Hello from Maria' }).waitFor();
      await cli.waitFor('Maria: Hello from Maria');

      await page.getByLabel('Message to the engineer').fill('Writing from my phone');
      await page.getByLabel('Message to the engineer').press('Enter');
      const reply = await engineer.waitFor(
        (f) => f.type === 'customer_message' && (f.payload as { text?: string }).text === 'Writing from my phone',
      );
      expect(reply.seq).toBeGreaterThan(0);
      await cli.waitFor('You: Writing from my phone');

      const requestId = await requestCommand(engineer, 'echo browser-and-terminal', 'check the shell');
      const card = page.locator(`article.request[data-request-id="${requestId}"]`);
      await card.getByText('Waiting for your approval in the terminal').waitFor();
      await waitForCommandPrompt(cli, 'echo browser-and-terminal');
      await screenshot(page, 'customer-live-beside-cli');
      cli.write('y');
      await card.getByText('Exit code 0').waitFor();
      await card.getByText('browser-and-terminal').last().waitFor();

      expect(ui.problems).toEqual([]);
      // The browser goes; once the server has let its socket go, the terminal's is the customer's only one.
      const runtime = liveRuntime(world.server.ctx);
      expect(runtime.socketsOf(world.customer.user.id)).toBe(2);
      await ui.context.close();
      const deadline = Date.now() + 5_000;
      while (runtime.socketsOf(world.customer.user.id) !== 1) {
        if (Date.now() > deadline) throw new Error('the browser’s socket never closed on the server');
        await new Promise((r) => setTimeout(r, 20));
      }
      const marker = await engineer.expectAck('engineer_message', { text: 'still with me?' });
      await engineer.waitForSeq(marker);
      await cli.waitFor('Maria: still with me?');
      expect(engineer.events.some((f) => f.type === 'customer_disconnected')).toBe(false);
    } finally {
      await ui.context.close().catch(() => {});
    }
  });
});
