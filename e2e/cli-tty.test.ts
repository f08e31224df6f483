/** The CLI in a real pseudo-terminal: colour decisions and Ctrl+C, as a person would see them. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../packages/server/test/support/testServer';
import { createTempHome, spawnCliPty } from './harness/cli';

let server: TestServer;
let home: string;
let cleanup: () => void;
beforeAll(async () => {
  server = await startTestServer({ config: { devicePollIntervalSeconds: 1 } });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  ({ home, cleanup } = createTempHome());
});
afterEach(() => cleanup());

describe('in a terminal', () => {
  it('colours errors on a TTY and not with NO_COLOR', async () => {
    const coloured = await spawnCliPty(['whoami', '--base-url', 'http://example.com'], { home });
    expect((await coloured.exit).exitCode).toBe(2);
    expect(coloured.screen()).toContain('Error: Refusing plain http://');
    expect(coloured.raw()).toContain('\x1b[');

    const plain = await spawnCliPty(['whoami', '--base-url', 'http://example.com'], { home, env: { NO_COLOR: '1' } });
    expect((await plain.exit).exitCode).toBe(2);
    expect(plain.screen()).toContain('Error: Refusing plain http://');
    expect(plain.raw()).not.toContain('\x1b[');
  });

  it('login shows the code and stops with exit 130 on Ctrl+C', async () => {
    const cli = await spawnCliPty(['login'], { home, env: { CODEVF_API_URL: server.baseUrl } });
    const screen = await cli.waitFor(/enter the code [B-Z]{4}-[B-Z]{4}/);
    expect(screen).toContain(`${server.baseUrl}/device`);
    await cli.waitFor('Waiting for approval');
    cli.press('ctrl-c');
    expect((await cli.exit).exitCode).toBe(130);
    expect(cli.screen()).toContain('Interrupted');
  });
});
