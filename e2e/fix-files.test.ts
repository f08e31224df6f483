import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { framesFor, requestFile, useFixRun, waitForFrame } from './fix-harness';

const run = useFixRun();
let outside: string | undefined;
afterEach(() => {
  if (outside) rmSync(outside, { recursive: true, force: true });
  outside = undefined;
});

async function start(files: (project: string) => void) {
  const world = await run.world();
  files(world.project);
  const { cli, engineer } = await run.liveSession(world);
  return { world, cli, engineer };
}

const payload = <T>(f: { payload: unknown }) => f.payload as T;

describe('codevf fix: file requests', () => {
  it('y sends a normal file, with planted secrets masked and the hash of what was sent', async () => {
    const { cli, engineer } = await start((p) => {
      mkdirSync(join(p, 'src'));
      writeFileSync(
        join(p, 'src', 'auth.js'),
        'export const login = () => fetch(url);\nconst key = "AKIAIOSFODNN7EXAMPLF";\nconst url = "https://app:Hunter2Pass99@db.example.com/x";\n',
      );
    });
    const id = await requestFile(engineer, 'src/auth.js', 'see the login code');
    await cli.waitFor(
      /Engineer requests file: src\/auth\.js \(\d+ bytes\)[\s\S]*Reason: see the login code[\s\S]*\[y\] send/,
    );
    cli.press('y');
    const upload = payload<{ path: string; content: string; size: number; sha256: string; redactions: number }>(
      await waitForFrame(engineer, 'file_upload', id),
    );
    expect(framesFor(engineer, 'approve_file', id).map((f) => payload<{ approved: boolean }>(f).approved)).toEqual([
      true,
    ]);
    expect(upload.path).toBe('src/auth.js');
    expect(upload.content).toContain('export const login = () => fetch(url);');
    expect(upload.content).not.toContain('AKIAIOSFODNN7EXAMPLF');
    expect(upload.content).not.toContain('Hunter2Pass99');
    expect(upload.redactions).toBe(2);
    expect(upload.sha256).toBe(createHash('sha256').update(upload.content).digest('hex'));
    expect(upload.size).toBe(Buffer.byteLength(upload.content));
    await cli.waitFor(/✓ Sent src\/auth\.js \([\d.]+ (bytes|KiB)\) \(2 values masked\)/);
  });

  it('a path spelled otherwise than the file name is uploaded under the path that was asked for', async () => {
    const { cli, engineer } = await start((p) => {
      mkdirSync(join(p, 'src'));
      writeFileSync(join(p, 'src', 'app.js'), 'export const app = 1;\n');
    });
    // The server accepts an upload only under the request's own path, byte for byte.
    const id = await requestFile(engineer, './src/../src/app.js');
    await cli.waitFor('[y] send');
    cli.press('y');
    const upload = payload<{ path: string; content: string }>(await waitForFrame(engineer, 'file_upload', id));
    expect(upload).toMatchObject({ path: './src/../src/app.js', content: 'export const app = 1;\n' });
    await cli.waitFor('✓ Sent ./src/../src/app.js');
  });

  it('n refuses a file: nothing is uploaded', async () => {
    const { cli, engineer } = await start((p) => writeFileSync(join(p, 'notes.txt'), 'private notes\n'));
    const id = await requestFile(engineer, 'notes.txt');
    await cli.waitFor('[y] send');
    cli.press('n');
    expect(payload<{ approved: boolean }>(await waitForFrame(engineer, 'approve_file', id)).approved).toBe(false);
    await cli.waitFor('File denied by you: notes.txt');
    expect(framesFor(engineer, 'file_upload', id)).toHaveLength(0);
  });

  it('a sensitive file is sent only after its name is typed; a wrong name is not enough', async () => {
    const { cli, engineer } = await start((p) =>
      writeFileSync(join(p, '.env'), 'DATABASE_URL=postgres://u:Xk9mQ2vL7pZt@db/app\nAPI_TOKEN=tok_8fJ2kL9mQ4xR7vW1\n'),
    );
    const id = await requestFile(engineer, '.env', 'check the config');
    await cli.waitFor('Type the file name (.env) to send it');
    expect(cli.screen()).toContain('This file usually holds secrets');
    // A single y does not send it.
    cli.write('y');
    cli.press('enter');
    await cli.waitFor('That is not the file name');
    expect(framesFor(engineer, 'approve_file', id)).toHaveLength(0);
    cli.press('backspace');
    cli.write('.env');
    cli.press('enter');
    const upload = payload<{ content: string; redactions: number }>(await waitForFrame(engineer, 'file_upload', id));
    expect(upload.content).not.toContain('Xk9mQ2vL7pZt');
    expect(upload.content).not.toContain('tok_8fJ2kL9mQ4xR7vW1');
    expect(upload.content).toContain('DATABASE_URL=');
    expect(upload.redactions).toBeGreaterThanOrEqual(2);
  });

  it('Esc refuses a sensitive file', async () => {
    const { cli, engineer } = await start((p) =>
      writeFileSync(join(p, 'server.pem'), '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n'),
    );
    const id = await requestFile(engineer, 'server.pem');
    await cli.waitFor('Type the file name (server.pem) to send it');
    cli.press('escape');
    expect(payload<{ approved: boolean }>(await waitForFrame(engineer, 'approve_file', id)).approved).toBe(false);
    expect(framesFor(engineer, 'file_upload', id)).toHaveLength(0);
  });

  it('refuses escapes, links out, binaries, huge files and directories without asking, telling the engineer why', async () => {
    const out = mkdtempSync(join(tmpdir(), 'codevf-outside-'));
    outside = out;
    writeFileSync(join(out, 'secret.txt'), 'outside the project\n');
    const { cli, engineer } = await start((p) => {
      symlinkSync(join(out, 'secret.txt'), join(p, 'link.txt'));
      writeFileSync(join(p, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
      writeFileSync(join(p, 'huge.log'), 'x'.repeat(2 * 1024 * 1024));
      mkdirSync(join(p, 'src'));
    });
    const cases: Array<[string, RegExp]> = [
      ['../outside.txt', /outside|escape/i],
      [join(out, 'secret.txt'), /outside|absolute/i],
      ['link.txt', /outside|link/i],
      ['image.png', /binary/i],
      ['huge.log', /large|over|limit/i],
      ['src', /director/i],
      ['missing.txt', /not (exist|found)|no such/i],
    ];
    for (const [path, reason] of cases) {
      const id = await requestFile(engineer, path);
      const decision = payload<{ approved: boolean; refusedReason?: string }>(
        await waitForFrame(engineer, 'approve_file', id),
      );
      expect(decision.approved, path).toBe(false);
      expect(decision.refusedReason, path).toMatch(reason);
      await cli.waitFor(`Refused ${path}:`);
      expect(framesFor(engineer, 'file_upload', id)).toHaveLength(0);
    }
    // None of them ever became a question.
    expect(cli.screen()).not.toContain('[y] send');
    expect(engineer.frames.some((f) => f.type === 'file_upload')).toBe(false);
  });

  it('sends a text file larger than an ordinary frame (520 KB) whole, in one file_upload', async () => {
    const text = 'line of text\n'.repeat(40_000);
    const { cli, engineer } = await start((p) => writeFileSync(join(p, 'big.txt'), text));
    const id = await requestFile(engineer, 'big.txt');
    await cli.waitFor(/Engineer requests file: big\.txt[\s\S]*\[y\] send/);
    cli.press('y');
    const upload = payload<{ content: string; size: number; sha256: string }>(
      await waitForFrame(engineer, 'file_upload', id),
    );
    expect(upload.size).toBe(text.length);
    expect(upload.content).toBe(text);
    expect(upload.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });
});
