/**
 * The console in Chromium with hostile text from the other side of a session: bidi overrides,
 * zero-width and control characters show as visible markers, and no link to anything but an
 * https host (without user info) is live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import type { TestUser } from '../packages/server/test/support/testServer';
import { openSession, type TestSession } from '../packages/server/test/support/wsClient';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const world = useConsoleWorld();
let ui: ConsolePage;
let cust: TestSession;
let eng: TestSession;
let engineer: TestUser;
let taskId: string;

beforeAll(async () => {
  const { server } = world;
  const c = await server.createUser({ role: 'customer', name: 'Ann', credits: 100 });
  const customerToken = (await server.issueTokens(c.id)).accessToken;
  engineer = await server.createUser({ role: 'engineer', name: 'Maria' });
  const engineerToken = (await server.issueTokens(engineer.id)).accessToken;
  const res = await api(server.baseUrl, { token: customerToken }, 'POST', '/v1/tasks', {
    description: 'login broken \u202Egnp.exe',
    mode: 'human',
  });
  taskId = res.body.id as string;
  expect((await api(server.baseUrl, { token: engineerToken }, 'POST', `/v1/tasks/${taskId}/claim`)).status).toBe(200);
  cust = await openSession({ baseUrl: server.baseUrl, taskId, token: customerToken });
  eng = await openSession({ baseUrl: server.baseUrl, taskId, token: engineerToken });
  ui = await world.openConsole();
});

afterAll(async () => {
  await cust?.close();
  await eng?.close();
  await ui?.context.close();
});

describe('console: text from the other side', () => {
  it('shows bidi, zero-width and control characters as markers, and links only https hosts', async () => {
    await cust.expectAck('customer_message', { text: 'see \u202Etxt.exe and\u200b \x1b[8mhidden\x1b[0m' });
    // Bidi controls in a command are refused by the server; invisible ones it stores are shown.
    const bidi = await eng.request('request_command', { command: 'npm test \u2066; rm -rf ~\u2069', reason: 'x' });
    expect(bidi.error?.code).toBe('E_VALIDATION');
    await eng.expectAck('request_command', { command: 'npm test \u200b; rm -rf ~\u2060', reason: 'check' });
    for (const url of [
      'https://meet.google.com@evil.example/x',
      'javascript:alert(1)',
      'vscode://vscode.git/clone?url=https://evil.example/r.git',
      'https://meet.example.test/ok',
    ]) {
      const r = await eng.request('screenshare_request', { url });
      // The server may refuse a bad link outright; one it stores must not become a live link.
      if (r.error) expect(r.error.code).toBe('E_VALIDATION');
    }

    const page = ui.page;
    await page.goto(`/session/${taskId}`);
    await signInThroughForm(page, engineer.email, engineer.password);
    const msg = page.locator('.msg-customer .msg-text');
    await msg.waitFor();
    expect(await msg.textContent()).toBe('see <U+202E>txt.exe and<U+200B> ␛[8mhidden␛[0m');
    expect(await msg.locator('.untrusted-mark').allTextContents()).toEqual(['<U+202E>', '<U+200B>', '␛', '␛']);
    const what = page.locator('.request-what');
    expect(await what.textContent()).toBe('npm test <U+200B>; rm -rf ~<U+2060>');
    expect(await page.locator('.session-desc').textContent()).toBe('login broken <U+202E>gnp.exe');

    // No raw bidi, zero-width or control character anywhere in the page's text.
    const text = (await page.locator('main').first().textContent()) ?? '';
    expect(/\p{Cf}/u.test(text)).toBe(false);
    expect(text).not.toContain('\x1b');

    const hrefs = await page.locator('.timeline a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.every((h) => h?.startsWith('https://') && !/^https:\/\/[^/]*@/.test(h))).toBe(true);
    expect(hrefs).toContain('https://meet.example.test/ok');
    await screenshot(page, 'console-untrusted');
  });
});
