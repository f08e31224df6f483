/**
 * The setup every console browser test shares: a built console, the real server and one
 * Chromium, started before the file's tests and closed after them. Call `useConsoleWorld` at the
 * top level of a test file, before the file's own hooks: vitest runs `afterAll` hooks in reverse
 * order, so the file's own clean-up (closing its pages) runs before the browser and server close.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../packages/server/test/support/testServer';
import { type ConsolePage, ensureConsoleBuilt, launchBrowser, openConsole } from './browser';

type ConsoleOptions = Parameters<typeof openConsole>[2];

export interface ConsoleWorld {
  readonly server: TestServer;
  readonly browser: Browser;
  /** A fresh browser context (own cookies) on the world's server; the caller closes it. */
  openConsole(options?: ConsoleOptions): Promise<ConsolePage>;
  /**
   * Like `openConsole`, but after the current test the page must have seen no errors or CSP
   * violations, and its context is closed — for pages a single test opens and forgets.
   */
  openChecked(options?: ConsoleOptions): Promise<ConsolePage>;
}

/**
 * `serverOptions` may be a function so that what it builds (a FakeClock at the real time) is made
 * when the server starts, not when the file is loaded.
 */
export function useConsoleWorld(serverOptions?: TestServerOptions | (() => TestServerOptions)): ConsoleWorld {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const checked: ConsolePage[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    const options = typeof serverOptions === 'function' ? serverOptions() : serverOptions;
    [server, browser] = await Promise.all([startTestServer(options), launchBrowser()]);
  });

  afterEach(async () => {
    for (const c of checked.splice(0)) {
      expect(c.problems, 'page errors or CSP violations').toEqual([]);
      await c.context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const world: ConsoleWorld = {
    get server() {
      if (!server) throw new Error('the console world is not started: use it inside tests or hooks');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the console world is not started: use it inside tests or hooks');
      return browser;
    },
    openConsole: (options) => openConsole(world.browser, world.server.baseUrl, options),
    async openChecked(options) {
      const c = await world.openConsole(options);
      checked.push(c);
      return c;
    },
  };
  return world;
}
