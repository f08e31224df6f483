/**
 * The server a describe block of live-session tests shares: started before its tests with a
 * customer (100 credits) and an engineer, and closed after them with every socket the tests left
 * in `open`. Call `useLiveServer` in the describe block; read its fields inside tests or hooks.
 */
import { afterAll, beforeAll } from 'vitest';
import { type Party, party } from './liveFixture';
import { startTestServer, type TestServer, type TestServerOptions } from './testServer';
import type { TestSession } from './wsClient';

export interface LiveServer {
  readonly server: TestServer;
  readonly customer: Party;
  readonly engineer: Party;
  /** Sockets a test keeps open to the end of the block; they are closed before the server. */
  readonly open: TestSession[];
}

export function useLiveServer(options: TestServerOptions): LiveServer {
  let started: { server: TestServer; customer: Party; engineer: Party } | undefined;
  let server: TestServer | undefined;
  const open: TestSession[] = [];

  beforeAll(async () => {
    server = await startTestServer(options);
    started = { server, customer: await party(server, 'customer', 100), engineer: await party(server, 'engineer') };
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await server?.close();
  });

  const get = () => {
    if (!started) throw new Error('the live server is not started: use it inside tests or hooks');
    return started;
  };
  return {
    get server() {
      return get().server;
    },
    get customer() {
      return get().customer;
    },
    get engineer() {
      return get().engineer;
    },
    open,
  };
}
