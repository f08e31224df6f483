import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFile, installMcp, type McpClient } from '../../src/mcp/mcpInstall';

/** `codevf mcp install`: each client's real file format, in temp folders (home and project injected). */
let root: string;
let home: string;
let project: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'codevf-mcp-install-'));
  home = join(root, 'home');
  project = join(root, 'project');
  mkdirSync(home);
  mkdirSync(project);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const install = (client: McpClient, print = false) =>
  installMcp({ client, projectRoot: project, home, env: {}, print });

describe('mcp install', () => {
  it('puts each client’s entry where that client reads it', () => {
    expect(configFile('claude-code', project, home, {})).toBe(join(project, '.mcp.json'));
    expect(configFile('cursor', project, home, {})).toBe(join(project, '.cursor', 'mcp.json'));
    expect(configFile('gemini', project, home, {})).toBe(join(home, '.gemini', 'settings.json'));
    expect(configFile('codex', project, home, {})).toBe(join(home, '.codex', 'config.toml'));
    expect(configFile('codex', project, home, { CODEX_HOME: '/x/codex' })).toBe('/x/codex/config.toml');
  });

  for (const client of ['claude-code', 'cursor', 'gemini'] as const) {
    it(`${client}: adds mcpServers.codevf, keeps every other entry and setting, and is idempotent`, async () => {
      const file = configFile(client, project, home, {});
      mkdirSync(join(file, '..'), { recursive: true });
      const other = { mcpServers: { docs: { command: 'docs-mcp', args: ['--x'] } }, theme: 'dark' };
      writeFileSync(file, JSON.stringify(other));

      const first = await install(client);
      expect(first).toMatchObject({ change: 'added', written: true, file });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
        theme: 'dark',
        mcpServers: { docs: { command: 'docs-mcp', args: ['--x'] }, codevf: { command: 'codevf', args: ['mcp'] } },
      });
      const written = readFileSync(file, 'utf8');
      const again = await install(client);
      expect(again).toMatchObject({ change: 'unchanged', written: false });
      expect(readFileSync(file, 'utf8')).toBe(written);
    });
  }

  it('creates a missing file and folder; --print writes nothing and shows the result', async () => {
    const printed = await install('cursor', true);
    expect(printed).toMatchObject({ change: 'added', written: false });
    expect(JSON.parse(printed.snippet)).toEqual({ mcpServers: { codevf: { command: 'codevf', args: ['mcp'] } } });
    expect(() => readFileSync(printed.file)).toThrow();
    const done = await install('cursor');
    expect(readFileSync(done.file, 'utf8')).toBe(printed.snippet);
  });

  it('shows only its own entry, never the rest of the file (other servers’ keys stay private)', async () => {
    const file = join(home, '.gemini', 'settings.json');
    mkdirSync(join(home, '.gemini'));
    writeFileSync(
      file,
      JSON.stringify({ mcpServers: { paid: { command: 'x', env: { API_KEY: 'sk-other-key-123' } } } }),
    );
    for (const print of [true, false]) {
      const r = await install('gemini', print);
      expect(JSON.stringify(r)).not.toContain('sk-other-key-123');
    }
    expect(readFileSync(file, 'utf8')).toContain('sk-other-key-123');
    expect((await install('codex', true)).snippet).toBe('[mcp_servers.codevf]\ncommand = "codevf"\nargs = ["mcp"]\n');
  });

  it('replaces an outdated codevf entry (updated)', async () => {
    const file = join(project, '.mcp.json');
    writeFileSync(file, JSON.stringify({ mcpServers: { codevf: { command: 'old-codevf', args: [] } } }));
    expect(await install('claude-code')).toMatchObject({ change: 'updated', written: true });
    expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers.codevf).toEqual({ command: 'codevf', args: ['mcp'] });
  });

  it('refuses a file that is not a JSON object, leaving it as it is', async () => {
    const file = join(project, '.mcp.json');
    for (const content of ['{ not json', '[1,2]', '{"mcpServers": 3}']) {
      writeFileSync(file, content);
      await expect(install('claude-code')).rejects.toMatchObject({ code: 'E_CONFIG_INVALID' });
      expect(readFileSync(file, 'utf8')).toBe(content);
    }
  });

  it('codex: appends [mcp_servers.codevf], keeps the rest byte for byte, idempotent, updates in place', async () => {
    const file = join(home, '.codex', 'config.toml');
    mkdirSync(join(home, '.codex'));
    const before = '# my settings\nmodel = "o4"\n\n[mcp_servers.docs]\ncommand = "docs-mcp"\nargs = ["--x"]  # keep\n';
    writeFileSync(file, before);
    expect(await install('codex')).toMatchObject({ change: 'added', written: true });
    const after = readFileSync(file, 'utf8');
    expect(after).toBe(`${before}\n[mcp_servers.codevf]\ncommand = "codevf"\nargs = ["mcp"]\n`);
    expect(await install('codex')).toMatchObject({ change: 'unchanged', written: false });
    expect(readFileSync(file, 'utf8')).toBe(after);

    // An outdated entry in the middle of the file: only its table changes.
    const middle = '[mcp_servers.codevf]\ncommand = "/old/codevf"\nargs = []\n\n[profile.x]\nmodel = "o3"\n';
    writeFileSync(file, `${before}\n${middle}`);
    expect(await install('codex')).toMatchObject({ change: 'updated' });
    expect(readFileSync(file, 'utf8')).toBe(
      `${before}\n[mcp_servers.codevf]\ncommand = "codevf"\nargs = ["mcp"]\n\n[profile.x]\nmodel = "o3"\n`,
    );
  });
});
