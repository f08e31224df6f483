import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_FILE_BYTES,
  hardLinkReason,
  inspectProjectFile,
  readProjectFile,
  SECRETS_FILE_REASON,
} from '../../src/safety/projectFile';
import { createRedactor } from '../../src/safety/redactor';

const redactor = createRedactor();
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let base: string; // holds the project and things outside it
let root: string;
let socketServer: Server | undefined;

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'codevf-pf-')));
  root = join(base, 'project');
  mkdirSync(join(root, 'src'), { recursive: true });
  mkdirSync(join(root, 'config', '.aws'), { recursive: true });
  writeFileSync(join(root, 'src', 'app.ts'), 'export const answer = 42;\n');
  writeFileSync(join(root, 'README.md'), '# Project\n');
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'unicode.txt'), 'héllo wörld ✓ 😀\n');
  writeFileSync(join(root, 'bom.txt'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('with bom\n')]));
  writeFileSync(join(root, '.env'), 'DB_PASSWORD=Xk9#mP2$qLw\n');
  writeFileSync(join(root, 'config', '.aws', 'credentials'), '[default]\n');
  writeFileSync(join(root, 'id_rsa'), 'not really a key\n');
  writeFileSync(join(root, 'binary.bin'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]));
  writeFileSync(join(root, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
  writeFileSync(join(root, 'exact.txt'), 'a'.repeat(100));
  writeFileSync(join(root, 'big.txt'), 'b'.repeat(DEFAULT_MAX_FILE_BYTES + 1));
  writeFileSync(join(root, 'config.yml'), 'db:\n  password: "Summer2024!"\n  host: db\n');
  writeFileSync(join(base, 'outside.txt'), 'outside secret\n');
  mkdirSync(join(base, 'outside-dir'));
  writeFileSync(join(base, 'outside-dir', 'secret.txt'), 'outside\n');
  symlinkSync(join(base, 'outside.txt'), join(root, 'escape-link.txt'));
  symlinkSync(join(base, 'outside-dir'), join(root, 'escape-dir'));
  symlinkSync('../outside.txt', join(root, 'relative-escape.txt'));
  symlinkSync('src/app.ts', join(root, 'inner-link.ts'));
  symlinkSync('.env', join(root, 'notes.txt'));
  symlinkSync(join(root, 'missing-target'), join(root, 'dangling'));
  symlinkSync('loop-b', join(root, 'loop-a'));
  symlinkSync('loop-a', join(root, 'loop-b'));
  symlinkSync(root, join(base, 'project-link'));
  const fifo = spawnSync('mkfifo', [join(root, 'pipe')]);
  if (fifo.status !== 0) throw new Error('mkfifo failed');
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer?.listen(join(root, 'sock'), resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => (socketServer ? socketServer.close(() => resolve()) : resolve()));
  rmSync(base, { recursive: true, force: true });
});

describe('inspectProjectFile', () => {
  it('describes a file inside the project without reading it', async () => {
    expect(await inspectProjectFile(root, 'src/app.ts')).toEqual({
      ok: true,
      relPath: 'src/app.ts',
      absPath: join(root, 'src', 'app.ts'),
      size: 26,
      sensitive: false,
    });
  });

  it('normalises ./ and inner .. that stay inside', async () => {
    const r = await inspectProjectFile(root, './src/../src//app.ts');
    expect(r).toMatchObject({ ok: true, relPath: 'src/app.ts' });
  });

  it('accepts an absolute path inside the root, by its real path or through a symlinked root', async () => {
    expect(await inspectProjectFile(root, join(root, 'README.md'))).toMatchObject({ ok: true, relPath: 'README.md' });
    const viaLink = join(base, 'project-link');
    expect(await inspectProjectFile(viaLink, join(viaLink, 'README.md'))).toMatchObject({
      ok: true,
      relPath: 'README.md',
    });
    expect(await inspectProjectFile(viaLink, 'src/app.ts')).toMatchObject({ ok: true, relPath: 'src/app.ts' });
  });

  const refused: [string, string | (() => string), RegExp][] = [
    ['an absolute path outside', '/etc/passwd', /absolute path outside the project root/],
    ['an absolute path next to the root', () => join(base, 'outside.txt'), /absolute path outside the project root/],
    ['a .. escape', '../outside.txt', /path escapes the project root/],
    ['a deeper .. escape', 'src/../../outside.txt', /path escapes the project root/],
    ['a symlink to a file outside', 'escape-link.txt', /escapes the project root through a symbolic link/],
    ['a relative symlink outside', 'relative-escape.txt', /escapes the project root through a symbolic link/],
    ['a file under a symlinked directory outside', 'escape-dir/secret.txt', /through a symbolic link/],
    ['a missing file', 'src/nope.ts', /file does not exist/],
    ['a path through a file', 'README.md/x', /file does not exist/],
    ['a dangling symlink', 'dangling', /file does not exist/],
    ['a symlink loop', 'loop-a', /too many levels of symbolic links/],
    ['a directory', 'src', /path is a directory/],
    ['the root itself', '.', /path is a directory/],
    ['a FIFO', 'pipe', /not a regular file/],
    ['a socket', 'sock', /not a regular file/],
    ['a file over the cap', 'big.txt', /^file is too large \(1048577 bytes; the limit is 1048576 bytes\)$/],
    ['an empty path', '', /no path was given/],
    ['a blank path', '   ', /no path was given/],
    ['a NUL byte', 'src/app.ts\0.png', /NUL byte/],
  ];
  for (const [what, path, reason] of refused) {
    it(`refuses ${what}`, async () => {
      const r = await inspectProjectFile(root, typeof path === 'function' ? path() : path);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    });
  }

  it("applies the running platform's name rules: on POSIX a colon or a backslash is part of a name", async () => {
    // On Windows these would be an alternate data stream and a separator (confinePath.test.ts).
    writeFileSync(join(root, 'notes.txt:v2'), 'colon\n');
    writeFileSync(join(root, '..\\escape.txt'), 'backslash\n');
    expect(await inspectProjectFile(root, 'notes.txt:v2')).toMatchObject({ ok: true, relPath: 'notes.txt:v2' });
    expect(await inspectProjectFile(root, '..\\escape.txt')).toMatchObject({ ok: true, relPath: '..\\escape.txt' });
    expect(await inspectProjectFile(root, '..\\outside.txt')).toEqual({ ok: false, reason: 'file does not exist' });
  });

  it('refuses a device', async () => {
    const r = await inspectProjectFile('/dev', 'null');
    expect(r).toEqual({ ok: false, reason: 'not a regular file (a device, FIFO or socket)' });
  });

  it('refuses when the project root is gone', async () => {
    expect(await inspectProjectFile(join(base, 'no-such-root'), 'a.txt')).toEqual({
      ok: false,
      reason: 'the project root is not accessible',
    });
  });

  it('says how large a refused file is', async () => {
    writeFileSync(join(root, 'huge.log'), Buffer.alloc(3 * 1024 * 1024 + 300 * 1024, 0x61));
    expect(await inspectProjectFile(root, 'huge.log')).toEqual({
      ok: false,
      reason: 'file is too large (3.3 MiB; the limit is 1 MiB)',
    });
  });

  it('applies maxBytes: equal to the size passes, one byte less refuses', async () => {
    expect(await inspectProjectFile(root, 'exact.txt', { maxBytes: 100 })).toMatchObject({ ok: true, size: 100 });
    expect(await inspectProjectFile(root, 'exact.txt', { maxBytes: 99 })).toEqual({
      ok: false,
      reason: 'file is too large (100 bytes; the limit is 99 bytes)',
    });
  });

  it('flags sensitive files by their own name, their directory, or the target of a link', async () => {
    expect(await inspectProjectFile(root, '.env')).toMatchObject({ ok: true, sensitive: true });
    expect(await inspectProjectFile(root, 'config/.aws/credentials')).toMatchObject({ ok: true, sensitive: true });
    expect(await inspectProjectFile(root, 'id_rsa')).toMatchObject({ ok: true, sensitive: true });
    expect(await inspectProjectFile(root, 'notes.txt')).toMatchObject({ ok: true, relPath: '.env', sensitive: true });
    expect(await inspectProjectFile(root, 'README.md')).toMatchObject({ ok: true, sensitive: false });
  });

  it('says why a file needs the typed confirmation', async () => {
    expect(await inspectProjectFile(root, '.env')).toMatchObject({ sensitiveReason: SECRETS_FILE_REASON });
    expect(await inspectProjectFile(root, 'README.md')).not.toHaveProperty('sensitiveReason');
  });

  it('asks for the typed confirmation for a hard link, which may point outside the project', async () => {
    // A real hard link from inside the project to a file outside it: same inode, two names.
    const outside = join(base, 'hard-outside.txt');
    writeFileSync(outside, 'TOKEN=outside the project\n');
    linkSync(outside, join(root, 'hard-notes.md'));
    try {
      const info = await inspectProjectFile(root, 'hard-notes.md');
      expect(info).toMatchObject({
        ok: true,
        relPath: 'hard-notes.md',
        sensitive: true,
        sensitiveReason: hardLinkReason(2),
      });
      expect(info.ok && info.sensitiveReason).toMatch(/hard link.*outside the project/);
      // Confirmed, it is read like any file (pnpm's store links files legitimately), still flagged.
      expect(await readProjectFile(root, 'hard-notes.md', { redactor })).toMatchObject({ ok: true, sensitive: true });
      // A sensitive name and a hard link: both reasons.
      linkSync(outside, join(root, '.env.linked'));
      expect(await inspectProjectFile(root, '.env.linked')).toMatchObject({
        sensitive: true,
        sensitiveReason: `${SECRETS_FILE_REASON} ${hardLinkReason(3)}`,
      });
      unlinkSync(join(root, '.env.linked'));
      // Once the other name is gone, the file has one link and is an ordinary file again.
      unlinkSync(outside);
      expect(await inspectProjectFile(root, 'hard-notes.md')).toEqual({
        ok: true,
        relPath: 'hard-notes.md',
        absPath: join(root, 'hard-notes.md'),
        size: 26,
        sensitive: false,
      });
    } finally {
      rmSync(join(root, 'hard-notes.md'), { force: true });
      rmSync(join(root, '.env.linked'), { force: true });
      rmSync(outside, { force: true });
    }
  });

  it('names the real file when a link inside the project is requested', async () => {
    expect(await inspectProjectFile(root, 'inner-link.ts')).toMatchObject({ ok: true, relPath: 'src/app.ts' });
  });
});

describe('readProjectFile', () => {
  it('returns the content with size and sha256 of exactly what is sent', async () => {
    const r = await readProjectFile(root, 'src/app.ts', { redactor });
    const disk = readFileSync(join(root, 'src', 'app.ts'));
    expect(r).toEqual({
      ok: true,
      relPath: 'src/app.ts',
      size: disk.length,
      sha256: sha256(disk),
      content: disk.toString('utf8'),
      redactions: 0,
      sensitive: false,
    });
  });

  it('reads UTF-8 text, an empty file, and keeps a BOM so the hash matches the file', async () => {
    expect(await readProjectFile(root, 'unicode.txt', { redactor })).toMatchObject({
      ok: true,
      content: 'héllo wörld ✓ 😀\n',
    });
    expect(await readProjectFile(root, 'empty.txt', { redactor })).toMatchObject({ ok: true, size: 0, content: '' });
    const bom = await readProjectFile(root, 'bom.txt', { redactor });
    expect(bom).toMatchObject({ ok: true, sha256: sha256(readFileSync(join(root, 'bom.txt'))) });
    if (bom.ok) expect(bom.content.charCodeAt(0)).toBe(0xfeff);
  });

  it('redacts secrets; size and sha256 then describe the redacted content', async () => {
    const r = await readProjectFile(root, 'config.yml', { redactor });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.content).toBe('db:\n  password: "[REDACTED:generic-secret]"\n  host: db\n');
    expect(r.redactions).toBe(1);
    expect(r.size).toBe(Buffer.byteLength(r.content));
    expect(r.sha256).toBe(sha256(r.content));
    expect(r.sha256).not.toBe(sha256(readFileSync(join(root, 'config.yml'))));
  });

  it('masks .env values given to the redactor in a sensitive file', async () => {
    const r = await readProjectFile(root, '.env', { redactor: createRedactor({ extraValues: ['Xk9#mP2$qLw'] }) });
    expect(r).toMatchObject({
      ok: true,
      sensitive: true,
      content: 'DB_PASSWORD=[REDACTED:generic-secret]\n',
      redactions: 1,
    });
  });

  it('refuses binary files: a NUL byte or invalid UTF-8', async () => {
    expect(await readProjectFile(root, 'binary.bin', { redactor })).toEqual({
      ok: false,
      reason: 'binary file (it contains NUL bytes)',
    });
    expect(await readProjectFile(root, 'latin1.txt', { redactor })).toEqual({
      ok: false,
      reason: 'binary file (it is not valid UTF-8 text)',
    });
  });

  it('repeats every confinement check (escape, FIFO without blocking, size)', async () => {
    expect(await readProjectFile(root, 'escape-link.txt', { redactor })).toMatchObject({ ok: false });
    expect(await readProjectFile(root, '../outside.txt', { redactor })).toMatchObject({ ok: false });
    expect(await readProjectFile(root, 'pipe', { redactor })).toMatchObject({
      ok: false,
      reason: /not a regular file/,
    });
    expect(await readProjectFile(root, 'exact.txt', { redactor, maxBytes: 50 })).toMatchObject({
      ok: false,
      reason: /too large/,
    });
    expect(await readProjectFile(root, 'big.txt', { redactor })).toMatchObject({ ok: false, reason: /too large/ });
  });
});
