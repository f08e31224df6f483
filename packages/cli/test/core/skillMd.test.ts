import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorTableMarkdown } from '@codevf/protocol/errors';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/registry';
import { allFlags } from '../../src/core/parse';
import { TOOLS } from '../../src/mcp/mcpTools';

/**
 * SKILL.md is what an agent reads to drive the CLI, so it must not drift from the code: the
 * error table is the protocol's, and every command and flag is documented.
 * After changing the error table: UPDATE_SKILL_MD=1 npx vitest run packages/cli/test/core/skillMd.test.ts
 */
const path = join(import.meta.dirname, '../../../../SKILL.md');
const BEGIN = /<!-- BEGIN error-table[^>]*-->\n/;
const END = '\n<!-- END error-table -->';

function tableIn(text: string): string {
  const start = BEGIN.exec(text);
  const end = text.indexOf(END);
  if (!start || end < 0) throw new Error('SKILL.md lacks the error-table markers');
  return text.slice(start.index + start[0].length, end);
}

const cells = (table: string) =>
  table
    .trim()
    .split('\n')
    .map((row) =>
      row
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim().replace(/^-+$/, '---')),
    );

describe('SKILL.md', () => {
  if (process.env.UPDATE_SKILL_MD) {
    const text = readFileSync(path, 'utf8');
    const start = BEGIN.exec(text);
    const end = text.indexOf(END);
    if (start && end >= 0) {
      writeFileSync(path, text.slice(0, start.index + start[0].length) + errorTableMarkdown() + text.slice(end));
    }
  }
  const text = readFileSync(path, 'utf8');

  it('contains exactly the error table of the protocol package', () => {
    // Cell by cell, so a Markdown formatter that pads the columns does not count as a change.
    expect(cells(tableIn(text))).toEqual(cells(errorTableMarkdown()));
  });

  it('starts with the skill front matter', () => {
    expect(text).toMatch(/^---\nname: codevf\ndescription: .+\n---\n/);
  });

  it('documents every command and every flag', async () => {
    for (const entry of COMMANDS) {
      const heading = new RegExp(`^### \`codevf ${entry.name}\\b(.*)\`$`, 'm').exec(text);
      expect(heading, `no "### \`codevf ${entry.name} …\`" heading`).not.toBeNull();
      const command = (await entry.load()).default;
      const own = Object.keys(allFlags(command)).filter((f) => f !== 'help' && f !== 'base-url');
      for (const flag of own) expect(text, `codevf ${entry.name} --${flag}`).toContain(`--${flag}`);
      if (command.json) expect(heading?.[1], `codevf ${entry.name} heading`).toContain('--json');
    }
  });

  it('names no command that does not exist, and no flag a command lacks (in its heading)', async () => {
    const headings = [...text.matchAll(/^### `codevf ([a-z-]+)(.*)`$/gm)];
    expect(headings.length).toBeGreaterThan(0);
    for (const [, name, rest] of headings) {
      const entry = COMMANDS.find((c) => c.name === name);
      expect(entry, `SKILL.md documents "codevf ${name}", which is not a command`).toBeDefined();
      const flags = Object.keys(allFlags((await (entry as (typeof COMMANDS)[number]).load()).default));
      for (const [, flag] of (rest ?? '').matchAll(/--([a-z][a-z-]*)/g)) {
        expect(flags, `codevf ${name} has no --${flag}`).toContain(flag);
      }
    }
    // Every `codevf <word>` in a code span names a command (or the help topic).
    for (const [, name] of text.matchAll(/`codevf ([a-z][a-z-]*)/g)) {
      expect(name === 'help' || COMMANDS.some((c) => c.name === name), `SKILL.md mentions "codevf ${name}"`).toBe(true);
    }
  });

  it('lists exactly the MCP tools of `codevf mcp`, each with its verb and its arguments', () => {
    const start = text.indexOf('<!-- BEGIN mcp-tools');
    const end = text.indexOf('<!-- END mcp-tools -->');
    expect(start, 'SKILL.md lacks the mcp-tools markers').toBeGreaterThan(0);
    const rows = cells(text.slice(text.indexOf('\n', start) + 1, end)).slice(2);
    const documented = rows.map(([tool, verb, args]) => ({
      tool: /^`([a-z_]+)`$/.exec(tool ?? '')?.[1],
      verb: /^`codevf ([a-z-]+)`$/.exec(verb ?? '')?.[1],
      args: [...(args ?? '').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]).sort(),
    }));
    expect(documented.map((d) => d.tool).sort()).toEqual(TOOLS.map((t) => t.name).sort());
    for (const tool of TOOLS) {
      const row = documented.find((d) => d.tool === tool.name);
      expect(row?.verb, `${tool.name}: verb`).toBe(tool.verb);
      expect(COMMANDS.some((c) => c.name === tool.verb)).toBe(true);
      expect(row?.args, `${tool.name}: arguments`).toEqual(Object.keys(tool.input).sort());
    }
    // And every tool named in a code span elsewhere in the MCP text exists.
    for (const [, name] of text.matchAll(/MCP `([a-z_]+)`/g)) {
      expect(
        TOOLS.map((t) => t.name),
        `SKILL.md mentions MCP \`${name}\``,
      ).toContain(name);
    }
  });
});
