import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorTableMarkdown } from '@codevf/protocol/errors';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/registry';
import { allFlags } from '../../src/core/parse';

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
});
