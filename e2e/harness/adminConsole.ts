/** The admin pages' starting point: a fresh browser context signed in as an admin, on their landing page. */
import type { TestUser } from '../../packages/server/test/support/testServer';
import { type ConsolePage, signInThroughForm } from './browser';
import type { ConsoleWorld } from './consoleWorld';

/** Signs `admin` in through the form; resolves once the console has taken them to the users page. The caller closes the context. */
export async function openAdminConsole(world: ConsoleWorld, admin: TestUser): Promise<ConsolePage> {
  const ui = await world.openConsole();
  await ui.page.goto('/');
  await signInThroughForm(ui.page, admin.email, admin.password);
  await ui.page.waitForURL('**/admin/users');
  return ui;
}
