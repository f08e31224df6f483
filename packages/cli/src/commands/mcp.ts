import { homedir } from 'node:os';
import type { CommandContext } from '../core/command';
import { defineCommand } from '../core/command';
import { usage } from '../core/parse';
import type { InstallResult, McpClient } from '../mcp/mcpInstall';

const CLIENT_NAMES = ['claude-code', 'codex', 'gemini', 'cursor'] as const;

export function parseClient(raw: string | undefined): McpClient {
  const client = raw?.trim().toLowerCase();
  if (client && (CLIENT_NAMES as readonly string[]).includes(client)) return client as McpClient;
  throw usage('mcp', `--client must be one of ${CLIENT_NAMES.join(', ')}; got ${JSON.stringify(raw ?? '')}.`);
}

/** A context for one tool call: a fresh API client, so the login is read as it is at that moment. */
function perCallContext(ctx: CommandContext): () => CommandContext {
  return () => {
    const api = ctx.baseUrl().then((url) => ctx.apiAt(url));
    return { ...ctx, api: () => api };
  };
}

export default defineCommand({
  description:
    'Runs the CodeVF MCP server on stdio, for coding agents (Claude Code, Codex, Gemini CLI, Cursor): tools ' +
    'ask, check_messages, reply, share_output, share_file, decline, end, list_tasks and status, each ' +
    'returning within 60 s. It uses the login on this machine (run codevf login first); no token is ever ' +
    "passed to the agent. `codevf mcp install --client <name>` adds it to that client's MCP configuration " +
    '(Claude Code: .mcp.json in the project; Cursor: .cursor/mcp.json in the project; Codex: ' +
    '~/.codex/config.toml; Gemini CLI: ~/.gemini/settings.json). --print shows the change without writing.',
  args: [{ name: 'action', description: 'install: add CodeVF to a client’s MCP configuration' }],
  flags: {
    client: { type: 'string', valueName: 'claude-code|codex|gemini|cursor', description: 'The coding agent (install)' },
    print: { type: 'boolean', description: 'Show the configuration change without writing it (install)' },
  },
  json: true,
  examples: ['codevf mcp install --client claude-code', 'codevf mcp install --client codex --print'],

  async handler(parsed, ctx): Promise<InstallResult | undefined> {
    const action = parsed.args.action as string | undefined;
    if (action === undefined) {
      if (parsed.flags.client !== undefined || parsed.flags.print) {
        throw usage('mcp', '--client and --print belong to: codevf mcp install');
      }
      if (ctx.json) throw usage('mcp', '`codevf mcp` speaks MCP on stdout; --json is for `codevf mcp install`.');
      const { serveMcp } = await import('../mcp/mcpServer');
      await serveMcp(ctx, perCallContext(ctx));
      return undefined;
    }
    if (action !== 'install') throw usage('mcp', `Unknown action ${JSON.stringify(action)}; the only one is install.`);
    const client = parseClient(parsed.flags.client);
    const [{ installMcp }, { findProjectRoot }] = await Promise.all([
      import('../mcp/mcpInstall'),
      import('../project/projectConfig'),
    ]);
    const cwd = ctx.cwd();
    return installMcp({
      client,
      projectRoot: (await findProjectRoot(cwd)) ?? cwd,
      home: ctx.io.env.HOME || homedir(),
      env: ctx.io.env,
      print: parsed.flags.print === true,
    });
  },

  human(r, { io }) {
    if (!r) return;
    if (!r.written && r.change !== 'unchanged') {
      io.out(r.snippet);
      io.err(
        `Not written (--print). This entry would be ${r.change === 'added' ? 'added to' : 'updated in'} ${r.file}.\n`,
      );
      return;
    }
    if (r.change === 'unchanged') io.err(`${r.file} already has CodeVF; nothing changed.\n`);
    else io.err(`${r.change === 'added' ? 'Added' : 'Updated'} the codevf MCP server in ${r.file}.\n`);
    io.err(`Restart ${r.client} (or reload its MCP servers) and log in once with: codevf login\n`);
  },
});
