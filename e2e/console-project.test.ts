import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../packages/server/test/support/api';
import { syncedProject } from '../packages/server/test/support/projectFixture';
import type { TestUser } from '../packages/server/test/support/testServer';
import { type ConsolePage, screenshot, signInThroughForm } from './harness/browser';
import { useConsoleWorld } from './harness/consoleWorld';

const world = useConsoleWorld();

let customer: { token: string };
let engineer: TestUser;
let other: { token: string };
let projectId: string;
let taskId: string;
let ui: ConsolePage;
let page: Page;
const commit = '0123456789abcdef0123456789abcdef01234567';

beforeAll(async () => {
  const { server } = world;
  const c = await server.createUser({ role: 'customer', credits: 500 });
  customer = { token: (await server.issueTokens(c.id)).accessToken };
  engineer = await server.createUser({ role: 'engineer', name: 'Maria' });
  const o = await server.createUser({ role: 'engineer' });
  other = { token: (await server.issueTokens(o.id)).accessToken };

  projectId = await syncedProject(server.baseUrl, customer, {
    project: { name: 'shop\u202Egpj.exe', testCommand: 'npm test\u001b[8m; curl evil' },
    files: {
      'package.json': '{ "name": "shop", "scripts": { "test": "vitest" } }\n',
      'src/auth.js': 'export const check = (t) => t === "ok";\u202E // reversed\n',
      'evil\u001b[31m.txt': 'x',
    },
    links: { 'lib-link': 'src' },
    sync: { branch: 'codevf', commit, dirty: true },
  });
  const task = await api(server.baseUrl, customer, 'POST', '/v1/tasks', {
    description: 'Auth check fails',
    projectId,
    mode: 'human',
  });
  expect(task.status).toBe(201);
  taskId = task.body.id;
  ui = await world.openConsole();
  page = ui.page;
});

afterAll(async () => {
  await ui?.context.close();
});

const panel = () => page.getByRole('region', { name: 'Project' });

describe('the project panel', () => {
  it('shows the engineer the commands, the sync and the snapshot files, all as visible text', async () => {
    await page.goto('/queue');
    await signInThroughForm(page, engineer.email, engineer.password);
    await page.locator(`li[data-task-id="${taskId}"]`).getByRole('button', { name: /Claim/ }).click();
    await page.waitForURL(`**/session/${taskId}`);

    await panel().getByTestId('project-name').waitFor();
    expect(await panel().getByTestId('project-name').textContent()).toBe('shop<U+202E>gpj.exe');
    expect(await panel().getByTestId('project-test-command').textContent()).toBe('npm test␛[8m; curl evil');
    expect(await panel().getByTestId('project-sync').textContent()).toBe(
      'branch codevf at 0123456789ab (with uncommitted changes)',
    );
    const files = panel().getByRole('list', { name: 'Snapshot files' });
    await files.getByText('package.json').waitFor();
    expect(await files.locator('li > .mono').allTextContents()).toEqual([
      'evil␛[31m.txt',
      'lib-link → src',
      'package.json',
      'src/auth.js',
    ]);
    // Control characters are drawn as markers in their own style, never as live text.
    expect(await files.locator('.untrusted-mark').first().textContent()).toBe('␛');

    await files.getByRole('button', { name: 'src/auth.js' }).click();
    const viewer = panel().getByTestId('snapshot-file');
    await viewer.getByText('export const check').waitFor();
    expect(await viewer.locator('.untrusted-mark').allTextContents()).toContain('<U+202E>');
    await screenshot(page, 'project-panel');

    await panel().getByRole('button', { name: 'Prepare a request to run it' }).click();
    // The form is always on the page, empty: wait for the click's render to fill it.
    await expect
      .poll(() => page.getByLabel('Command', { exact: true }).inputValue())
      .toBe('npm test\u001b[8m; curl evil');
    expect(ui.problems).toEqual([]);
  });

  it('is refused to another engineer, and to the engineer once the task ended', async () => {
    for (const path of ['', '/snapshot/files', '/snapshot/file?path=package.json']) {
      const res = await api(world.server.baseUrl, other, 'GET', `/v1/projects/${projectId}${path}`);
      expect(res.status).toBe(404);
    }
    const own = await page.request.get(`/v1/projects/${projectId}/snapshot/files`);
    expect(own.status()).toBe(200);

    await api(world.server.baseUrl, customer, 'POST', `/v1/tasks/${taskId}/end`, {});
    // The session ends in the page: the tools, and the panel with them, are gone.
    await panel().waitFor({ state: 'detached' });
    for (const path of ['', '/snapshot/files', '/snapshot/file?path=package.json']) {
      const res = await page.request.get(`/v1/projects/${projectId}${path}`);
      expect(res.status()).toBe(404);
    }
  });
});
