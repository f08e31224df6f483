// The server side of a benchmark that runs its server in a child process, driven over IPC.

/**
 * Answers the parent's `{ cmd }` messages with `handlers[cmd]` (`exit` closes the server and ends
 * the process), then announces `{ ready }`: the server's address, the bench customer's and
 * engineer's access tokens, and `extra`.
 */
export function serveParent(server, handlers = {}, extra = {}) {
  process.on('message', async (m) => {
    if (m.cmd === 'exit') {
      await server.close();
      process.exit(0);
    }
    await handlers[m.cmd]?.(m);
  });
  process.send({
    ready: {
      baseUrl: server.baseUrl,
      customerToken: server.customerTokens.access_token,
      engineerToken: server.engineerTokens.access_token,
      ...extra,
    },
  });
}
