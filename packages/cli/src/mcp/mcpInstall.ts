import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CodevfError } from '../core/errors';
import { writeFileAtomic } from '../core/writeFileAtomic';

/**
 * `codevf mcp install --client …`: adds CodeVF to a coding agent's MCP configuration. Each
 * client keeps its servers in its own file and format; only our entry (`codevf`) is added or
 * replaced, every other entry and setting is kept as it was. Running it twice changes nothing.
 */

export const CLIENTS = ['claude-code', 'codex', 'gemini', 'cursor'] as const;
export type McpClient = (typeof CLIENTS)[number];

export const SERVER_NAME = 'codevf';

export interface InstallOptions {
  client: McpClient;
  /** The project folder (Claude Code and Cursor keep the entry with the project). */
  projectRoot: string;
  /** The user's home folder (Codex and Gemini CLI keep the entry there). */
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Only show what would be written. */
  print: boolean;
  /** The command line that starts the server, as the client will run it. */
  command?: { command: string; args: string[] };
}

export interface InstallResult {
  client: McpClient;
  file: string;
  /** added: no codevf entry before; updated: a different one was replaced; unchanged: already so. */
  change: 'added' | 'updated' | 'unchanged';
  written: boolean;
  /**
   * Our entry, in the file's format (what --print shows). Never the whole file: other entries
   * may hold other servers' keys, which are not ours to print.
   */
  snippet: string;
}

const DEFAULT_COMMAND = { command: 'codevf', args: ['mcp'] };

/** Where each client reads its MCP servers from. */
export function configFile(client: McpClient, projectRoot: string, home: string, env: InstallOptions['env']): string {
  switch (client) {
    case 'claude-code':
      return join(projectRoot, '.mcp.json');
    case 'cursor':
      return join(projectRoot, '.cursor', 'mcp.json');
    case 'gemini':
      return join(home, '.gemini', 'settings.json');
    case 'codex':
      return join(env.CODEX_HOME || join(home, '.codex'), 'config.toml');
  }
}

export async function installMcp(options: InstallOptions): Promise<InstallResult> {
  const file = configFile(options.client, options.projectRoot, options.home, options.env);
  const entry = options.command ?? DEFAULT_COMMAND;
  const before = await readIfExists(file);
  const { content, change } =
    options.client === 'codex' ? withCodexEntry(before, entry, file) : withJsonEntry(before, entry, file);
  const written = !options.print && change !== 'unchanged';
  if (written) {
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, content);
  }
  const snippet =
    options.client === 'codex'
      ? codexTable(entry)
      : `${JSON.stringify({ mcpServers: { [SERVER_NAME]: { command: entry.command, args: entry.args } } }, null, 2)}\n`;
  return { client: options.client, file, change, written, snippet };
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CodevfError('E_CONFIG_INVALID', `Cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Claude Code (.mcp.json), Cursor (mcp.json) and Gemini CLI (settings.json): `mcpServers.codevf`. */
function withJsonEntry(
  before: string | null,
  entry: { command: string; args: string[] },
  file: string,
): { content: string; change: InstallResult['change'] } {
  let config: Record<string, unknown> = {};
  if (before !== null && before.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(before);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      config = parsed as Record<string, unknown>;
    } catch (err) {
      throw new CodevfError(
        'E_CONFIG_INVALID',
        `${file} is not a JSON object (${(err as Error).message}); it was left as it is.`,
        {
          hint: 'Fix the file, or run with --print and add the entry by hand.',
        },
      );
    }
  }
  const servers = config.mcpServers ?? {};
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new CodevfError('E_CONFIG_INVALID', `${file}: "mcpServers" is not an object; it was left as it is.`);
  }
  const existing = (servers as Record<string, unknown>)[SERVER_NAME];
  const next = { command: entry.command, args: entry.args };
  if (existing && JSON.stringify(existing) === JSON.stringify(next)) {
    return { content: before ?? '', change: 'unchanged' };
  }
  config.mcpServers = { ...(servers as Record<string, unknown>), [SERVER_NAME]: next };
  return { content: `${JSON.stringify(config, null, 2)}\n`, change: existing ? 'updated' : 'added' };
}

/**
 * Codex (`config.toml`): the table `[mcp_servers.codevf]`. Edited as text so that the rest of
 * the file — other tables, comments, formatting — stays byte for byte; our table is one we
 * write whole, ending where the next table header starts.
 */
function withCodexEntry(
  before: string | null,
  entry: { command: string; args: string[] },
  _file: string,
): { content: string; change: InstallResult['change'] } {
  const table = codexTable(entry);
  const text = before ?? '';
  const lines = text.split('\n');
  const header = /^\s*\[\s*mcp_servers\s*\.\s*(?:codevf|"codevf")\s*\]\s*(?:#.*)?$/;
  const start = lines.findIndex((l) => header.test(l));
  if (start < 0) {
    const sep = text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    return { content: `${text}${sep}${table}`, change: 'added' };
  }
  let end = start + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end] ?? '')) end++;
  // Blank lines before the next table belong to the layout, not to our table.
  let bodyEnd = end;
  while (bodyEnd > start + 1 && (lines[bodyEnd - 1] ?? '').trim() === '') bodyEnd--;
  const current = `${lines.slice(start, bodyEnd).join('\n')}\n`;
  if (current === table) return { content: text, change: 'unchanged' };
  const content = [...lines.slice(0, start), ...table.trimEnd().split('\n'), ...lines.slice(bodyEnd)].join('\n');
  return { content, change: 'updated' };
}

function codexTable(entry: { command: string; args: string[] }): string {
  return (
    `[mcp_servers.${SERVER_NAME}]\n` +
    `command = ${JSON.stringify(entry.command)}\n` +
    `args = [${entry.args.map((a) => JSON.stringify(a)).join(', ')}]\n`
  );
}
