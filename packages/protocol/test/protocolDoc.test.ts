import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_MESSAGE_SENDERS, clientPayloads } from '../src/clientMessages';
import { ERROR_CODE_NAMES, errorTableMarkdown } from '../src/errors';
import { serverPayloads } from '../src/serverMessages';
import { CLOSE_CODES } from '../src/shared/closeCodes';

const doc = readFileSync(join(__dirname, '../../../docs/PROTOCOL.md'), 'utf8');
/** The rows of the table under a heading that starts with `title`. */
function tableRows(title: string): string[] {
  const start = doc.indexOf(`\n### ${title}`);
  if (start < 0) throw new Error(`no section ${title}`);
  const end = doc.indexOf('\n### ', start + 1);
  return doc
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((l) => l.startsWith('| `'));
}
const typesIn = (rows: string[]) => rows.map((r) => /^\| `(\w+)`/.exec(r)?.[1]);

describe('docs/PROTOCOL.md describes the protocol the code implements', () => {
  it('lists every client message with its sender', () => {
    const rows = tableRows('3.4 Client → server');
    expect(typesIn(rows)).toEqual(Object.keys(clientPayloads));
    for (const row of rows) {
      const type = typesIn([row])[0] as keyof typeof CLIENT_MESSAGE_SENDERS;
      expect(row.split('|')[2]?.trim()).toBe(CLIENT_MESSAGE_SENDERS[type]);
    }
  });

  it('lists every server message', () => {
    const events = typesIn(tableRows('3.5 Server → client'));
    const control = typesIn(tableRows('3.3 Control frames'));
    expect(new Set([...events, ...control])).toEqual(new Set([...Object.keys(serverPayloads), 'hello', 'end_session']));
  });

  it('lists every close code the server sends', () => {
    const rows = doc.split('\n').filter((l) => /^\| [14]\d{3} \|/.test(l));
    expect(rows.map((r) => Number(r.slice(2, 6)))).toEqual(Object.values(CLOSE_CODES));
  });

  it('carries the error table and names every error code', () => {
    expect(doc).toContain(errorTableMarkdown());
    for (const code of ERROR_CODE_NAMES) expect(doc).toContain(`\`${code}\``);
  });
});
