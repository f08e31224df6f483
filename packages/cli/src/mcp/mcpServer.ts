import { showUntrusted } from '@codevf/protocol/shared';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CommandContext } from '../core/command';
import { CodevfError, toCodevfError } from '../core/errors';
import { VERSION } from '../core/version';
import { TOOLS, type ToolDeps } from './mcpTools';

/**
 * `codevf mcp`: the verbs as MCP tools over stdio (the low-level SDK server, so that bad
 * arguments come back as a tool error with our E_VALIDATION code and a hint, like every other
 * failure). stdout carries only MCP frames; the CLI's own status lines go to stderr. The login
 * is read from this machine's store on each call and refreshed like any verb's: no token is
 * ever passed in, and none is in a result, an error or a log line.
 */

/** Every call answers within this, whatever the network does (clients cut calls off at about 60 s). */
const CALL_DEADLINE_MS = 57_000;

export function createMcpServer(newContext: () => CommandContext, log: (line: string) => void): Server {
  const server = new Server({ name: 'codevf', version: VERSION }, { capabilities: { tools: {} } });
  const tools = new Map(TOOLS.map((t) => [t.name, t]));
  const schemas = new Map(TOOLS.map((t) => [t.name, z.object(t.input).strict()]));

  // A fresh context per call: the login (and the server it names) is read as it is now, so a
  // `codevf login` while the MCP server runs takes effect on the next call.
  const depsFor = (ctx: CommandContext): ToolDeps => ({
    ctx,
    api: () => ctx.api(),
    project: async () => {
      const { openAgentProject } = await import('../agent/agentProject');
      return openAgentProject(ctx.cwd(), await ctx.api());
    },
  });

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: TOOLS.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: toJsonSchemaCompat(schemas.get(t.name) as z.AnyZodObject) as { type: 'object' },
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    const started = Date.now();
    const result = await callTool(name, args);
    // One line per call on stderr: the tool, the outcome and the time — never the arguments
    // or the result (they may hold the user's text; secrets are masked only on the way out).
    const error = result.isError ? (result.structuredContent as { error: { code: string } }).error.code : 'ok';
    log(`${showUntrusted(name).slice(0, 64)} → ${error} (${Date.now() - started} ms)`);
    return result;
  });

  async function callTool(name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    try {
      const def = tools.get(name);
      if (!def) {
        throw new CodevfError('E_VALIDATION', `Unknown tool ${JSON.stringify(name)}.`, {
          hint: `Tools: ${TOOLS.map((t) => t.name).join(', ')}.`,
        });
      }
      const parsed = (schemas.get(name) as z.AnyZodObject).safeParse(args ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || 'arguments';
        throw new CodevfError('E_VALIDATION', `Invalid ${field}: ${issue?.message ?? 'bad value'}.`, {
          hint: `See the input schema of ${name} (tools/list).`,
        });
      }
      const result = await withDeadline(def.run(parsed.data, depsFor(newContext())));
      return {
        content: [{ type: 'text', text: def.text(result as never) }],
        structuredContent: result as Record<string, unknown>,
      };
    } catch (thrown) {
      return toolError(thrown);
    }
  }
  return server;
}

/** A failure as the model sees it: the code, what happened, and what to do about it. */
export function toolError(thrown: unknown): CallToolResult {
  const err = toCodevfError(thrown);
  const error = { code: err.code, message: err.message, hint: err.hint };
  return {
    isError: true,
    content: [{ type: 'text', text: `${err.code}: ${err.message}\nHint: ${err.hint}` }],
    structuredContent: { error },
  };
}

function withDeadline<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CodevfError('E_TIMEOUT', 'The CodeVF server did not answer in time.', {
            hint: 'Call the tool again; a wait is resumable with the same after.',
          }),
        ),
      CALL_DEADLINE_MS,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Serves MCP on stdin/stdout until the client closes the pipe. */
export async function serveMcp(ctx: CommandContext, newContext: () => CommandContext): Promise<void> {
  const server = createMcpServer(newContext, (line) => ctx.status(`codevf mcp: ${line}`));
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.connect(transport);
  ctx.status(`codevf mcp ${VERSION}: serving the CodeVF tools on stdio (server ${await ctx.baseUrl()}).`);
  await closed;
  await server.close();
}
