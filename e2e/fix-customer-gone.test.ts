/**
 * The customer's `codevf fix` is killed (SIGKILL) mid-session, with the engineer working in the
 * console (Chromium): the engineer sees the customer leave, nothing is billed once the grace is
 * over, the server ends the task by itself after CODEVF_CUSTOMER_GONE_MINUTES, and the figures
 * agree between the engineer's console, `GET /v1/tasks/:id`, the ledger and the customer's
 * terminal when they come back with `codevf fix --resume`.
 *
 * The server runs on a clock that is real time plus an offset the test moves forward, so a
 * minute boundary is crossed without waiting for it; everything else (the billing job's timer,
 * the sockets, the CLI, the browser) runs as in production.
 */
import type { Task } from '@codevf/protocol';
import { formatBilledMinutes, formatSessionDuration } from '@codevf/protocol/shared';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../packages/server/src/clock';
import { api } from '../packages/server/test/support/api';
import { startFix, useFixRun, waitForTask } from './fix-harness';
import {
  type ConsolePage,
  ensureConsoleBuilt,
  launchBrowser,
  openConsole,
  screenshot,
  signInThroughForm,
} from './harness/browser';
import { terminalScreen } from './harness/terminalScreen';

/** Real time, plus however far the test has skipped ahead. */
class SkippingClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  skip(ms: number): void {
    this.offsetMs += ms;
  }
}

/** Waits until the element's whole text matches (the page updates it as events arrive). */
async function textOf(locator: Locator, pattern: RegExp): Promise<string> {
  let text = '';
  await expect.poll(async () => (text = (await locator.textContent()) ?? ''), { timeout: 10_000 }).toMatch(pattern);
  return text;
}

const run = useFixRun();
let browser: Browser;
let ui: ConsolePage | undefined;
beforeAll(async () => {
  ensureConsoleBuilt();
  browser = await launchBrowser();
});
afterAll(async () => {
  await ui?.context.close();
  await browser?.close();
});

const GRACE_SECONDS = 2;
/** 30 s: minutes may be fractional, so a test need not wait five. */
const GONE_MINUTES = 0.5;

describe('codevf fix: the customer is killed mid-session', () => {
  it('the engineer sees them leave, billing stops after the grace, the task ends by itself, figures agree', async () => {
    const clock = new SkippingClock();
    const world = await run.world({
      clock,
      config: { presenceGraceSeconds: GRACE_SECONDS, customerGoneMinutes: GONE_MINUTES, accessTokenTtlSeconds: 3600 },
    });
    const taskUrl = (id: string) => `/v1/tasks/${id}`;
    const cli = run.stopAfter(await startFix(world));
    await cli.waitFor('Engineer connecting');
    const task = await waitForTask(world);

    // The engineer claims it in the console.
    ui = await openConsole(browser, world.server.baseUrl);
    const { page } = ui;
    await page.goto('/queue');
    await signInThroughForm(page, world.engineer.user.email, world.engineer.user.password);
    await page.getByRole('button', { name: /Claim task 1/ }).click();
    await page.waitForURL(`**/session/${task.id}`);
    await cli.waitFor('Engineer connected: Maria (ex-FAANG)');
    await textOf(page.getByTestId('customer-presence'), /· connected$/);
    // Minute 0, both present: charged by the server's own billing job.
    await textOf(page.getByTestId('credits-used'), /^1 /);

    // 50 s into minute 0 the customer's CLI dies without a word.
    clock.skip(50_000);
    cli.kill('SIGKILL');
    await cli.exit;
    await textOf(page.getByTestId('customer-presence'), /· disconnected$/);
    await page.getByText('Customer disconnected').first().waitFor();
    await screenshot(page, 'engineer-customer-gone');

    // Minute 1 begins with the customer gone longer than the grace: not billed.
    clock.skip(15_000);
    await new Promise((r) => setTimeout(r, 2_500)); // two rounds of the billing job
    const during = (await api<Task>(world.server.baseUrl, world.customer, 'GET', taskUrl(task.id))).body;
    expect(during).toMatchObject({ status: 'active', billedMinutes: 1, creditsUsed: 1 });

    // Past 30 s away, the server ends the task by itself (no test hook drives it).
    clock.skip(20_000);
    const reason = 'The customer was disconnected for more than 30 seconds.';
    await page.getByText('Session ended', { exact: true }).waitFor({ timeout: 15_000 });
    const view = (await api<Task>(world.server.baseUrl, world.customer, 'GET', taskUrl(task.id))).body;
    expect(view).toMatchObject({
      status: 'ended',
      endedBy: 'system',
      endReason: reason,
      billedMinutes: 1,
      creditsUsed: 1,
    });
    const seconds = view.durationSeconds!;
    // Claimed, 50 s, then 15 and 20 more: ended about 85 s after the claim.
    expect(seconds).toBeGreaterThanOrEqual(85);
    expect(seconds).toBeLessThan(100);
    const time = formatSessionDuration(seconds);
    const ledger = (await api(world.server.baseUrl, world.customer, 'GET', '/v1/credits')).body.ledger as {
      kind: string;
      taskId: string | null;
      minuteIndex: number | null;
    }[];
    expect(ledger.filter((r) => r.kind === 'charge' && r.taskId === task.id).map((r) => r.minuteIndex)).toEqual([0]);

    // The engineer's console: the server's figures, as the shared formatter writes them.
    const notice = await page.locator('.notice', { hasText: 'Session ended' }).textContent();
    expect(notice).toContain(
      `Ended by system (${reason}) after ${time}; ${formatBilledMinutes(1)} billed, 1 credit used.`,
    );
    expect(await page.getByTestId('credits-used').textContent()).toMatch(/^1 /);
    await screenshot(page, 'engineer-customer-gone-ended');
    // …and the engineer's history.
    await page.goto('/tasks');
    const row = page.locator(`tr[data-task-id="${task.id}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells).toContain(time);
    expect(cells).toContain('1');

    // The customer comes back: the terminal shows the same figures and asks for the rating.
    const back = run.stopAfter(await startFix(world, { args: ['fix', '--resume', task.id] }));
    const screen = terminalScreen(back, 120, 40);
    const seen = await screen.waitFor('Rate engineer (1-5):');
    expect(seen).toContain(`The session was ended by CodeVF. ${reason}`);
    expect(seen).toMatch(
      new RegExp(
        `Session Summary[\\s\\S]*Engineer: Maria[\\s\\S]*Time: ${time}[\\s\\S]*Billed: 1 minute[\\s\\S]*Credits Used: 1`,
      ),
    );
    back.press('4');
    await back.waitFor('Feedback (optional, Enter to send):');
    back.press('enter');
    expect((await back.exit).exitCode).toBe(0);
    expect(back.screen()).toContain(`Session ended with Maria: ${time} (1 minute billed), 1 credit used.`);
    screen.dispose();
    expect((await api<Task>(world.server.baseUrl, world.customer, 'GET', taskUrl(task.id))).body).toMatchObject({
      rating: 4,
      durationSeconds: seconds,
      billedMinutes: 1,
    });
    expect(ui.problems).toEqual([]);
  }, 90_000);
});
