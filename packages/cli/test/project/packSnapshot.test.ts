import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync, symlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CodevfError } from '../../src/core/errors';
import { MANIFEST_PATH, writeSnapshotArchive } from '../../src/project/packSnapshot';
import { scanSnapshot } from '../../src/project/scanSnapshot';
import { cleanup, tempDir, writeTree } from './gitFixture';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) cleanup(d);
});
function fixture(files: Record<string, string | Buffer>): string {
  const d = tempDir('codevf-pack-');
  dirs.push(d);
  writeTree(d, files);
  return d;
}

interface Extracted {
  type: string;
  mode: number;
  content: Buffer;
  linkname?: string | null;
}

async function extract(file: string): Promise<Map<string, Extracted>> {
  const out = new Map<string, Extracted>();
  const ex = tar.extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out.set(header.name, {
        type: header.type ?? 'file',
        mode: header.mode ?? 0,
        content: Buffer.concat(chunks),
        linkname: header.linkname,
      });
      next();
    });
  });
  await pipeline(createReadStream(file), createGunzip(), ex);
  return out;
}

describe('writeSnapshotArchive', () => {
  it('writes a tar.gz of exactly the planned files, with the manifest and a correct sha256', async () => {
    const longName = `${'deep/'.repeat(30)}file.txt`;
    const random = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
    const root = fixture({
      'src/a.ts': 'export const a = 1;\n',
      'empty.txt': '',
      'data.bin': random,
      [longName]: 'long path',
      '.env': 'SECRET=1',
      '.gitignore': 'ignored.txt\n',
      'ignored.txt': 'no',
    });
    symlinkSync('src/a.ts', join(root, 'link.ts'));
    const plan = await scanSnapshot(root);
    const progress: number[] = [];
    const file = join(dirs[0] as string, '..', `${Date.now()}-snap.tgz`);
    dirs.push(file);
    const result = await writeSnapshotArchive(plan, file, { onProgress: (p) => progress.push(p.bytes) });

    expect(result.bytes).toBe(statSync(file).size);
    expect(result.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(progress.at(-1)).toBe(plan.totalBytes);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const files = await extract(file);
    expect([...files.keys()].sort()).toEqual(
      ['.gitignore', MANIFEST_PATH, 'data.bin', 'empty.txt', 'link.ts', longName, 'src/a.ts'].sort(),
    );
    // Links are stored as links (never followed), so nothing outside the tree can ride along.
    expect(files.get('link.ts')).toMatchObject({ type: 'symlink', linkname: 'src/a.ts' });
    expect(files.get('data.bin')?.content.equals(random)).toBe(true);
    expect(files.get('empty.txt')?.content.length).toBe(0);
    expect(files.get(longName)?.content.toString()).toBe('long path');
    const manifest = JSON.parse(files.get(MANIFEST_PATH)?.content.toString() ?? '{}');
    expect(manifest.files).toBe(6);
    expect(manifest.excluded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '.env', reason: 'sensitive' }),
        expect.objectContaining({ path: 'ignored.txt', reason: 'gitignore' }),
      ]),
    );
  });

  it('fails with E_CONFLICT when a file shrinks between scan and archive', async () => {
    const root = fixture({ 'a.txt': 'x'.repeat(100_000), 'b.txt': 'y' });
    const plan = await scanSnapshot(root);
    truncateSync(join(root, 'a.txt'), 10);
    const file = join(root, '..', `${Date.now()}-bad.tgz`);
    dirs.push(file);
    const err = await writeSnapshotArchive(plan, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodevfError);
    expect((err as CodevfError).code).toBe('E_CONFLICT');
    expect((err as CodevfError).message).toMatch(/a\.txt/);
  });
});
